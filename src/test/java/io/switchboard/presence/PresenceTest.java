package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** PROTOCOL section 9 on one node, with the in-memory store. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(PresenceTest.WithPresence.class)
class PresenceTest {
    static final Duration GRACE = Duration.ofSeconds(1);

    public static class WithPresence implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "switchboard.rooms.rules[5].pattern", "who:*",
                    "switchboard.rooms.rules[5].join", "user",
                    "switchboard.rooms.rules[5].publish", "user",
                    "switchboard.rooms.rules[5].presence", "true",
                    "switchboard.rooms.rules[6].pattern", "live:*",
                    "switchboard.rooms.rules[6].join", "user",
                    "switchboard.rooms.rules[6].publish", "user",
                    "switchboard.rooms.rules[6].presence-events", "true",
                    "switchboard.presence.grace", GRACE.toMillis() + "ms");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    private WsClient connect(String user, String... roles) {
        return WsClient.connect(ws, TestKeys.token(user, 60, roles));
    }

    static JsonObject presence(WsClient client, String room) {
        return client.request(new JsonObject().put("op", "presence").put("room", room));
    }

    static JsonArray members(Object... userAndConnections) {
        JsonArray members = new JsonArray();
        for (int i = 0; i < userAndConnections.length; i += 2) {
            members.add(new JsonObject().put("user", userAndConnections[i]).put("connections", userAndConnections[i + 1]));
        }
        return members;
    }

    @Test
    void countsDistinctUsersAndListsTheirConnectionsInByteOrder() {
        String room = "who:count";
        String b = TestKeys.uniqueUser("b");
        String a = TestKeys.uniqueUser("a");
        // U+1F600 (4 UTF-8 bytes) sorts after U+FFFD in UTF-8 byte order, before it in UTF-16 order
        String emoji = "z\uD83D\uDE00" + a;
        String replacement = "z\uFFFD" + a;
        try (WsClient b1 = connect(b, "user"); WsClient a1 = connect(a, "user"); WsClient a2 = connect(a, "user");
                WsClient e = connect(emoji, "user"); WsClient r = connect(replacement, "user");
                WsClient outsider = connect(TestKeys.uniqueUser("o"), "user")) {
            for (WsClient c : new WsClient[] { b1, a1, a2, e, r }) {
                assertEquals("ok", c.join(room).getString("status"));
            }
            JsonObject answer = presence(a1, room);
            assertEquals("ok", answer.getString("status"), answer.encode());
            assertEquals(4, answer.getInteger("count"));
            assertEquals(members(a, 2, b, 1, replacement, 1, emoji, 1), answer.getJsonArray("members"));
            // a user the rule lets join may ask without being a member
            assertEquals(answer.getJsonArray("members"), presence(outsider, room).getJsonArray("members"));

            a2.leave(room);
            assertEquals(members(a, 1, b, 1, replacement, 1, emoji, 1), presence(b1, room).getJsonArray("members"));
        }
    }

    @Test
    void aUserWhoseLastConnectionLeftIsListedWithNoConnectionsForTheGraceThenGone() {
        String room = "who:grace";
        String stays = TestKeys.uniqueUser("stays");
        String goes = TestKeys.uniqueUser("goes");
        try (WsClient s = connect(stays, "user"); WsClient g = connect(goes, "user")) {
            s.join(room);
            g.join(room);
            assertEquals("ok", g.leave(room).getString("status"));
            long left = System.nanoTime();
            JsonObject during = presence(s, room);
            assertEquals(2, during.getInteger("count"));
            assertEquals(new JsonObject().put("user", goes).put("connections", 0), during.getJsonArray("members").stream()
                    .map(JsonObject.class::cast).filter(m -> goes.equals(m.getString("user"))).findFirst().orElseThrow());
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> presence(s, room).getInteger("count") == 1);
            assertTrue(System.nanoTime() - left >= GRACE.toNanos() - Duration.ofMillis(50).toNanos(), "gone before the grace");
            assertEquals(members(stays, 1), presence(s, room).getJsonArray("members"));
        }
    }

    @Test
    void eventsGoToOtherUsersOnceAndNotWhenTheUserIsBackWithinTheGrace() {
        String room = "live:events";
        String watcher = TestKeys.uniqueUser("watcher");
        String mover = TestKeys.uniqueUser("mover");
        try (WsClient w = connect(watcher, "user"); WsClient w2 = connect(watcher, "user")) {
            w.join(room);
            w2.join(room);
            WsClient m1 = connect(mover, "user");
            m1.join(room);
            for (WsClient c : new WsClient[] { w, w2 }) {
                assertEquals(new JsonObject().put("op", "joined").put("room", room).put("user", mover), c.awaitOp("joined"));
            }
            // a second connection of a present user, and a reconnect within the grace: no event
            WsClient m2 = connect(mover, "user");
            m2.join(room);
            m2.close();
            m1.close();
            WsClient m3 = connect(mover, "user");
            m3.join(room);
            // the mover's own connection never hears about itself
            assertTrue(m3.received().stream().noneMatch(f -> "joined".equals(f.getString("op"))), m3.received().toString());
            m3.close();
            long gone = System.nanoTime();
            for (WsClient c : new WsClient[] { w, w2 }) {
                JsonObject parted = c.awaitOp("parted");
                assertEquals(new JsonObject().put("op", "parted").put("room", room).put("user", mover), parted);
            }
            assertTrue(System.nanoTime() - gone >= GRACE.toNanos() - Duration.ofMillis(50).toNanos(), "parted before the grace");
            // a marker published after: nothing else about the mover came before it, and nothing twice
            w.publish(room, "marker");
            w.await(f -> "message".equals(f.getString("op")));
            w2.await(f -> "message".equals(f.getString("op")));
            for (WsClient c : new WsClient[] { w, w2 }) {
                assertTrue(c.received().stream().noneMatch(f -> "joined".equals(f.getString("op")) || "parted".equals(f.getString("op"))),
                        c.received().toString());
            }
        }
    }

    @Test
    void aUserTheRuleDoesNotLetJoinIsForbiddenAndARoomWithoutPresenceIsABadRequest() {
        try (WsClient guest = connect(TestKeys.uniqueUser("guest"), "guest"); WsClient user = connect(TestKeys.uniqueUser("u"), "user")) {
            JsonObject forbidden = presence(guest, "who:private");
            assertEquals("error", forbidden.getString("status"));
            assertEquals("forbidden", forbidden.getString("code"));
            assertEquals("forbidden", presence(user, "nobody:matches").getString("code"));
            assertEquals("forbidden", presence(user, "vip:lounge").getString("code"));
            JsonObject off = presence(user, "chat:lobby");
            assertEquals("bad_request", off.getString("code"), off.encode());
            assertEquals("bad_request", presence(user, "bad room!").getString("code"));
        }
    }
}
