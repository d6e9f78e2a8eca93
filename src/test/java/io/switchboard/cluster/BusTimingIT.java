package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.Prometheus;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TcpProxy;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * The Redis engine's timers and remembered state, from outside: each wait runs on its own clock, and
 * what the engine remembers about other nodes is forgotten in time.
 */
class BusTimingIT {

    private static Map<String, String> config(String redisUrl, String... extra) {
        Map<String, String> config = new HashMap<>();
        config.put("switchboard.cluster.redis-url", redisUrl);
        for (int i = 0; i < extra.length; i += 2) {
            config.put(extra[i], extra[i + 1]);
        }
        return config;
    }

    private static void waitUntil(long epochMillis) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> System.currentTimeMillis() >= epochMillis);
    }

    private static double metric(GatewayNode node, String name) {
        return Prometheus.parse(node.get("/q/metrics").body()).value(name);
    }

    /**
     * While the room's subscription goes unconfirmed, a second join of the same room waits its own
     * subscribe timeout: the first join's timeout does not answer it early.
     */
    @Test
    void aJoinWaitsForItsOwnSubscribeTimeout() {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = new TcpProxy(redis.port());
                GatewayNode node = GatewayNode.start("timeouts", config(proxy.url(),
                        "switchboard.cluster.subscribe-timeout", "3s",
                        // the silenced subscription must not be rebuilt during the test
                        "switchboard.cluster.canary-timeout", "120s"))) {
            WsClient first = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("first"), 300, "user"));
            WsClient second = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("second"), 300, "user"));
            proxy.silenceSubscribers();
            long firstAt = System.currentTimeMillis();
            first.send(new JsonObject().put("op", "join").put("room", "chat:unconfirmed").put("ref", "first"));
            waitUntil(firstAt + 2000);
            long secondAt = System.currentTimeMillis();
            second.send(new JsonObject().put("op", "join").put("room", "chat:unconfirmed").put("ref", "second"));

            first.await(f -> "first".equals(f.getString("ref")));
            JsonObject reply = second.await(f -> "second".equals(f.getString("ref")));
            long waited = System.currentTimeMillis() - secondAt;
            assertEquals("reply", reply.getString("op"));
            assertTrue(waited >= 2500, "the second join was answered after " + waited + " ms, before its own 3 s timeout");
            first.close();
            second.close();
        }
    }

    /**
     * Messages held while Redis was away wait the flush delay of the publisher connection that sends
     * them: a timer left from an earlier connection, lost meanwhile, does not release them early, before
     * the other nodes could have re-subscribed.
     */
    @Test
    void heldMessagesWaitTheFlushDelayOfTheConnectionThatSendsThem() {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = new TcpProxy(redis.port())) {
            String[] fast = { "switchboard.cluster.reconnect-min", "50ms", "switchboard.cluster.reconnect-max", "300ms",
                    "switchboard.cluster.flush-delay", "4s" };
            try (GatewayNode sender = GatewayNode.start("sender", config(proxy.url(), fast));
                    GatewayNode receiver = GatewayNode.start("receiver", config(redis.url(), fast))) {
                String room = "open:held";
                WsClient publisher = WsClient.connect(sender.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
                WsClient remote = WsClient.connect(receiver.ws(), TestKeys.token(TestKeys.uniqueUser("remote"), 300, "user"));
                assertEquals("ok", remote.join(room).getString("status"));

                redis.kill();
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> metric(sender, "switchboard_bus_connected") == 0);
                for (int i = 0; i < 5; i++) {
                    assertEquals("ok", publisher.publish(room, i).getString("status"), "held, and accepted");
                }
                redis.startProcess();
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> metric(sender, "switchboard_bus_connected") == 1);
                // the publisher is back and holds the messages for its flush delay; halfway, it is cut off
                waitUntil(System.currentTimeMillis() + 2000);
                assertTrue(remote.received().stream().noneMatch(f -> "message".equals(f.getString("op"))),
                        "held for the flush delay");
                long droppedAt = System.currentTimeMillis();
                proxy.dropPublishers();

                List<JsonObject> got = remote.awaitAll(f -> "message".equals(f.getString("op")), 5, Duration.ofSeconds(20));
                long waited = System.currentTimeMillis() - droppedAt;
                assertEquals(List.of(0, 1, 2, 3, 4), got.stream().map(m -> m.getInteger("data")).toList());
                assertTrue(waited >= 3500, "held messages went out " + waited
                        + " ms after the publisher reconnected, before its own 4 s flush delay");
                publisher.close();
                remote.close();
            }
        }
    }

    /** What a node remembers about another node's sequence on a room is forgotten after the dedup window. */
    @Test
    void rememberedOriginsAreForgottenAfterTheDedupWindow() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = config(redis.url(), "switchboard.cluster.dedup-window", "2s",
                    "switchboard.cluster.canary-interval", "500ms");
            try (GatewayNode sender = GatewayNode.start("origin", config);
                    GatewayNode receiver = GatewayNode.start("rememberer", config)) {
                WsClient publisher = WsClient.connect(sender.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
                WsClient remote = WsClient.connect(receiver.ws(), TestKeys.token(TestKeys.uniqueUser("remote"), 300, "user"));
                for (int room = 0; room < 20; room++) {
                    assertEquals("ok", remote.join("open:dedup-" + room).getString("status"));
                }
                for (int room = 0; room < 20; room++) {
                    assertEquals("ok", publisher.publish("open:dedup-" + room, room).getString("status"));
                }
                remote.awaitAll(f -> "message".equals(f.getString("op")), 20, Duration.ofSeconds(10));
                assertTrue(metric(receiver, "switchboard_bus_dedup_entries") >= 20, "one origin remembered per room");
                // the rooms stay joined: the entries go because the origin fell silent
                Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> metric(receiver, "switchboard_bus_dedup_entries") == 0);
                assertEquals("ok", publisher.publish("open:dedup-0", "again").getString("status"));
                assertEquals("again", remote.await(f -> "again".equals(f.getValue("data"))).getString("data"));
                publisher.close();
                remote.close();
            }
        }
    }
}
