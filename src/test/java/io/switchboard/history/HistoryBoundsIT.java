package io.switchboard.history;

import static io.switchboard.history.RedisHistoryIT.join;
import static io.switchboard.history.RedisHistoryIT.messages;
import static io.switchboard.history.RedisHistoryIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * A history in Redis is bounded by {@code history-size} (the stream is trimmed as it grows, and a
 * {@code since} more than that behind is not recovered) and by {@code history-ttl} (a room's keys
 * expire with its last message, and the next message starts a new epoch).
 */
class HistoryBoundsIT {

    @Test
    void theHistoryIsBoundedBySizeAndByAge() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = RedisHistoryIT.config(redis.url(), 100);
            config.put("switchboard.rooms.rules[3].pattern", "brief:*");
            config.put("switchboard.rooms.rules[3].join", "user");
            config.put("switchboard.rooms.rules[3].publish", "user");
            config.put("switchboard.rooms.rules[3].history-size", "100");
            config.put("switchboard.rooms.rules[3].history-ttl", "2s");
            try (GatewayNode node = GatewayNode.start("b1", config)) {
                String room = "hist:bounded";
                WsClient a = user(node, "a");
                String epoch = join(a, room, null).getJsonObject("position").getString("epoch");
                String payload = "x".repeat(100);
                for (int i = 0; i < 300; i++) {
                    a.send(new JsonObject().put("op", "publish").put("room", room).put("data", payload));
                }
                messages(a, room, 300, Duration.ofSeconds(30));
                String stream = "switchboard:history:{" + room + "}";
                String meta = "switchboard:history-meta:{" + room + "}";
                assertEquals("100", redis.cli("XLEN", stream).trim());
                long bytes = Long.parseLong(redis.cli("MEMORY", "USAGE", stream, "SAMPLES", "0").trim())
                        + Long.parseLong(redis.cli("MEMORY", "USAGE", meta).trim());
                System.out.printf("Redis memory of one history room, 100 messages of ~190 bytes: %d bytes%n", bytes);
                assertTrue(bytes < 64 * 1024, "bounded: " + bytes);
                long ttl = Long.parseLong(redis.cli("TTL", stream).trim());
                assertTrue(ttl > 0 && ttl <= 300, "expires with the default history-ttl: " + ttl);

                WsClient b = user(node, "b");
                JsonObject tooOld = join(b, room, new JsonObject().put("epoch", epoch).put("offset", 199L));
                assertEquals(false, tooOld.getBoolean("recovered"), "101 messages behind: " + tooOld.encode());
                b.leave(room);
                JsonObject kept = join(b, room, new JsonObject().put("epoch", epoch).put("offset", 200L));
                assertEquals(true, kept.getBoolean("recovered"), kept.encode());
                assertEquals(100, messages(b, room, 100, Duration.ofSeconds(10)).size());

                // by age: the room's keys expire two seconds after its last message; the next one starts a new epoch
                String brief = "brief:aging";
                WsClient c = user(node, "c");
                String briefEpoch = join(c, brief, null).getJsonObject("position").getString("epoch");
                c.publish(brief, "soon gone");
                Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                        .until(() -> "0".equals(redis.cli("EXISTS", "switchboard:history:{" + brief + "}").trim()));
                c.publish(brief, "fresh");
                JsonObject reset = c.awaitOp("reset");
                assertNotEquals(briefEpoch, reset.getJsonObject("position").getString("epoch"));
                WsClient d = user(node, "d");
                JsonObject gone = join(d, brief, new JsonObject().put("epoch", briefEpoch).put("offset", 0L));
                assertEquals(false, gone.getBoolean("recovered"), gone.encode());
            }
        }
    }

    @Test
    void aFullHoldBackBufferRefusesHistoryPublishesAndTheAcceptedOnesKeepConsecutiveOffsets() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = RedisHistoryIT.config(redis.url(), 100);
            config.put("switchboard.cluster.hold-back-messages", "5");
            try (GatewayNode node = GatewayNode.start("u1", config)) {
                String room = "hist:held";
                WsClient a = user(node, "a");
                join(a, room, null);
                assertEquals(1L, a.publish(room, "before").getLong("offset"));
                redis.kill();
                int accepted = 0;
                // until the node notices, publishes go to a dead socket and are held as in flight
                while (accepted < 20) {
                    JsonObject reply = a.publish(room, "held " + accepted);
                    if ("unavailable".equals(reply.getString("code"))) {
                        break;
                    }
                    assertEquals("ok", reply.getString("status"), reply.encode());
                    accepted++;
                }
                assertTrue(accepted <= 5, "the buffer holds 5: " + accepted);
                assertEquals("unavailable", a.publish(room, "refused").getString("code"));
                redis.startProcess(); // no persistence: a new epoch, the held messages start it
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                        .until(() -> "ok".equals(a.publish(room, "after").getString("status")));
                List<JsonObject> got = a.awaitAll(f -> room.equals(f.getString("room")) && "message".equals(f.getString("op"))
                        && f.getString("data").startsWith("held"), accepted, Duration.ofSeconds(20));
                for (int i = 0; i < got.size(); i++) {
                    assertEquals("held " + i, got.get(i).getString("data"));
                    assertEquals(got.get(0).getLong("offset") + i, got.get(i).getLong("offset"));
                }
                assertTrue(a.received().stream().noneMatch(f -> "refused".equals(f.getString("data"))), "a refused publish is never delivered");
            }
        }
    }
}
