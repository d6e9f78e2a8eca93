package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The presence frames as encoded, and the fan-out's reading of whom an event is about. */
class PresenceFramesTest {

    @Test
    void eventsAreValidJsonAndNameTheirUserEvenWithCharactersThatNeedEscaping() {
        for (String user : List.of("alice", "\"quoted\" \\ back", "user\",\"user\":\"x", "\u00e9\uD83D\uDE00\n")) {
            String joined = ServerFrames.presenceEvent("joined", "room:a", user);
            assertEquals(new JsonObject().put("op", "joined").put("room", "room:a").put("user", user), new JsonObject(joined));
            assertEquals(user, ServerFrames.presenceSubject(joined));
            assertEquals(user, ServerFrames.presenceSubject(ServerFrames.presenceEvent("parted", "r", user)));
        }
    }

    @Test
    void otherFramesAreAboutNobody() {
        assertNull(ServerFrames.presenceSubject(ServerFrames.message("r", "id", "joined", 1, "{\"op\":\"joined\"}")));
        assertNull(ServerFrames.presenceSubject(ServerFrames.left("r", "forbidden")));
    }

    @Test
    void presenceReplyListsMembersInTheOrderGiven() {
        String reply = ServerFrames.presence("p1", 1234, List.of("a", "b\""), new long[] { 2, 0 });
        assertEquals(new JsonObject().put("op", "reply").put("ref", "p1").put("status", "ok").put("count", 1234)
                .put("members", new JsonArray().add(new JsonObject().put("user", "a").put("connections", 2))
                        .add(new JsonObject().put("user", "b\"").put("connections", 0))),
                new JsonObject(reply));
        assertEquals(new JsonObject().put("op", "reply").put("status", "ok").put("count", 0).put("members", new JsonArray()),
                new JsonObject(ServerFrames.presence(null, 0, List.of(), new long[0])));
    }
}
