package io.switchboard.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * PROTOCOL section 8 on one node (the in-process engine, history in memory): offsets, the join's
 * position, recovery with {@code since} and its refusals, and the bounds by size and by age. The test
 * profile gives {@code hist:*} a history of 5 messages and {@code brief:*} one of 1 s.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class HistoryTest {

    @TestHTTPResource("/ws")
    URI ws;

    @TestHTTPResource("/api/v1/rooms/")
    URI api;

    private WsClient user(String name) {
        return WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser(name), 60, "user"));
    }

    private static String room(String prefix) {
        return prefix + TestKeys.uniqueUser("r");
    }

    private static JsonObject join(WsClient client, String room, JsonObject since) {
        JsonObject frame = new JsonObject().put("op", "join").put("room", room);
        if (since != null) {
            frame.put("since", since);
        }
        return client.request(frame);
    }

    private static List<JsonObject> messages(WsClient client, String room, int count) {
        return client.awaitAll(f -> "message".equals(f.getString("op")) && room.equals(f.getString("room")), count,
                Duration.ofSeconds(10));
    }

    @Test
    void messagesCarryConsecutiveOffsetsAndAJoinItsPosition() {
        String room = room("hist:");
        try (WsClient alice = user("alice"); WsClient bob = user("bob")) {
            JsonObject first = join(alice, room, null);
            assertEquals("ok", first.getString("status"));
            JsonObject position = first.getJsonObject("position");
            assertNotNull(position.getString("epoch"));
            assertEquals(0L, position.getLong("offset"));
            assertNull(first.getValue("recovered"), "recovered only when the join had since");
            for (int i = 1; i <= 3; i++) {
                JsonObject reply = alice.publish(room, i);
                assertEquals(i, reply.getLong("offset"), reply.encode());
            }
            List<JsonObject> got = messages(alice, room, 3);
            assertEquals(List.of(1L, 2L, 3L), got.stream().map(m -> m.getLong("offset")).toList());
            assertEquals(List.of(1, 2, 3), got.stream().map(m -> m.getInteger("data")).toList());

            JsonObject later = join(bob, room, null).getJsonObject("position");
            assertEquals(new JsonObject().put("epoch", position.getString("epoch")).put("offset", 3L), later);
            alice.publish(room, 4);
            assertEquals(4L, messages(bob, room, 1).get(0).getLong("offset"));
        }
    }

    @Test
    void aRejoinWithSinceReplaysExactlyTheMissedMessagesThenLiveOnes() {
        String room = room("hist:");
        try (WsClient alice = user("alice")) {
            String epoch = join(alice, room, null).getJsonObject("position").getString("epoch");
            JsonObject seen;
            try (WsClient bob = user("bob")) {
                join(bob, room, null);
                alice.publish(room, "a");
                alice.publish(room, "b");
                seen = messages(bob, room, 2).get(1);
            }
            alice.publish(room, "c");
            alice.publish(room, "d");
            try (WsClient bob = user("bob")) {
                JsonObject since = new JsonObject().put("epoch", epoch).put("offset", seen.getLong("offset"));
                JsonObject reply = join(bob, room, since);
                assertEquals(true, reply.getBoolean("recovered"), reply.encode());
                assertEquals(since, reply.getJsonObject("position"));
                alice.publish(room, "e");
                List<JsonObject> got = messages(bob, room, 3);
                assertEquals(List.of("c", "d", "e"), got.stream().map(m -> m.getString("data")).toList());
                assertEquals(List.of(3L, 4L, 5L), got.stream().map(m -> m.getLong("offset")).toList());
            }
        }
    }

    @Test
    void recoveryIsRefusedPastTheSizeForAnotherEpochAndBeyondTheCurrentOffset() {
        String room = room("hist:");
        try (WsClient alice = user("alice"); WsClient bob = user("bob")) {
            String epoch = join(alice, room, null).getJsonObject("position").getString("epoch");
            for (int i = 1; i <= 7; i++) {
                alice.publish(room, i);
            }
            messages(alice, room, 7);
            JsonObject current = new JsonObject().put("epoch", epoch).put("offset", 7L);
            // 7 - 1 = 6 messages after offset 1, more than the 5 kept
            assertRefused(bob, room, new JsonObject().put("epoch", epoch).put("offset", 1L), current);
            assertRefused(bob, room, new JsonObject().put("epoch", "another").put("offset", 6L), current);
            assertRefused(bob, room, new JsonObject().put("epoch", epoch).put("offset", 8L), current);
            // exactly 5 after offset 2: recovered
            JsonObject reply = join(bob, room, new JsonObject().put("epoch", epoch).put("offset", 2L));
            assertEquals(true, reply.getBoolean("recovered"), reply.encode());
            assertEquals(List.of(3L, 4L, 5L, 6L, 7L), messages(bob, room, 5).stream().map(m -> m.getLong("offset")).toList());
        }
    }

    private void assertRefused(WsClient client, String room, JsonObject since, JsonObject current) {
        JsonObject reply = join(client, room, since);
        assertEquals("ok", reply.getString("status"), reply.encode());
        assertEquals(false, reply.getBoolean("recovered"), reply.encode());
        assertEquals(current, reply.getJsonObject("position"));
        assertEquals("ok", client.leave(room).getString("status"));
        client.join("chat:marker-" + room.substring(5));
        client.publish("chat:marker-" + room.substring(5), "marker");
        assertEquals("marker", client.awaitOp("message").getString("data"), "nothing was replayed");
        client.leave("chat:marker-" + room.substring(5));
    }

    @Test
    void aMalformedSinceIsBadRequestAndSinceInARoomWithoutHistoryRecoversNothing() {
        try (WsClient alice = user("alice")) {
            for (Object since : List.of("x", 3, new JsonObject(), new JsonObject().put("epoch", "").put("offset", 1),
                    new JsonObject().put("epoch", "e").put("offset", -1), new JsonObject().put("epoch", "e").put("offset", 1.5),
                    new JsonObject().put("epoch", 7).put("offset", 1), new JsonObject().put("epoch", "e"),
                    new JsonObject().put("epoch", "e").put("offset", 1).put("extra", true))) {
                alice.send("{\"ref\":\"bad\",\"op\":\"join\",\"room\":\"" + room("hist:") + "\",\"since\":"
                        + io.vertx.core.json.Json.encode(since) + "}");
                JsonObject reply = alice.await(f -> "bad".equals(f.getString("ref")));
                assertEquals("bad_request", reply.getString("code"), since + " -> " + reply.encode());
            }
            JsonObject plain = join(alice, room("chat:"), new JsonObject().put("epoch", "e").put("offset", 1));
            assertEquals("ok", plain.getString("status"));
            assertEquals(false, plain.getBoolean("recovered"));
            assertFalse(plain.containsKey("position"));
        }
    }

    @Test
    void aJoinDuringAFloodSeesNothingBeforeItsReplyAndEveryLaterOffsetOnce() throws Exception {
        String room = room("hist:");
        try (WsClient publisher = user("pub"); WsClient p2 = user("pub"); WsClient p3 = user("pub");
                WsClient joiner = user("joiner")) {
            join(publisher, room, null);
            join(p2, room, null);
            join(p3, room, null);
            // three publishers, each within the test profile's burst of 100 frames
            int each = 80;
            int total = 3 * each;
            for (int i = 0; i < each; i++) {
                for (WsClient p : List.of(publisher, p2, p3)) {
                    p.send(new JsonObject().put("op", "publish").put("room", room).put("data", i));
                }
                if (i == each / 3) {
                    joiner.send(new JsonObject().put("op", "join").put("room", room).put("ref", "j"));
                }
            }
            messages(publisher, room, total);
            JsonObject reply = joiner.await(f -> "j".equals(f.getString("ref")));
            long position = reply.getJsonObject("position").getLong("offset");
            List<JsonObject> frames = joiner.received();
            assertTrue(frames.stream().noneMatch(f -> "message".equals(f.getString("op")) && f.getLong("offset") <= position));
            List<JsonObject> after = messages(joiner, room, (int) (total - position));
            List<Long> offsets = new ArrayList<>();
            after.forEach(m -> offsets.add(m.getLong("offset")));
            for (int i = 0; i < offsets.size(); i++) {
                assertEquals(position + 1 + i, offsets.get(i));
            }
        }
    }

    @Test
    void messagesOlderThanTheTtlAreNotRecovered() {
        String room = room("brief:");
        try (WsClient alice = user("alice"); WsClient bob = user("bob")) {
            String epoch = join(alice, room, null).getJsonObject("position").getString("epoch");
            alice.publish(room, "old");
            JsonObject since = new JsonObject().put("epoch", epoch).put("offset", 0L);
            JsonObject fresh = join(bob, room, since);
            assertEquals(true, fresh.getBoolean("recovered"), fresh.encode());
            bob.leave(room);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonObject reply = join(bob, room, since);
                bob.leave(room);
                return Boolean.FALSE.equals(reply.getBoolean("recovered"));
            });
        }
    }

    @Test
    void theServerApiAnswersWithTheOffset() throws Exception {
        String room = room("hist:");
        try (WsClient alice = user("alice")) {
            join(alice, room, null);
            alice.publish(room, "one");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + room + "/messages"))
                    .header("Authorization", "Bearer " + TestKeys.token("backend", 60, "service"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\":2}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, response.statusCode(), response.body());
            JsonObject body = new JsonObject(response.body());
            assertEquals(2L, body.getLong("offset"));
            JsonObject second = messages(alice, room, 2).get(1);
            assertEquals(body.getString("id"), second.getString("id"));
            assertEquals(2L, second.getLong("offset"));
        }
    }

    @Test
    void presenceEventsOfAHistoryRoomAreDeliveredWithoutTakingAnOffset() {
        String room = room("histpresence:");
        try (WsClient alice = user("alice"); WsClient bob = user("bob")) {
            join(alice, room, null);
            join(bob, room, null);
            JsonObject joined = alice.awaitOp("joined");
            assertEquals(room, joined.getString("room"));
            assertEquals(1L, bob.publish(room, "first").getLong("offset"));
            assertEquals(1L, messages(alice, room, 1).get(0).getLong("offset"));
        }
    }
}
