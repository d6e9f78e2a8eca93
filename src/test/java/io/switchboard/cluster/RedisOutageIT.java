package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TcpProxy;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * Redis is SIGKILLed in the middle of a stream and started again: every publish was either
 * accepted and then delivered on every node, once and in order, or refused; fan-out resumes alone.
 */
class RedisOutageIT {
    private static final Map<String, String> FAST_RECOVERY = Map.of(
            "switchboard.cluster.reconnect-min", "50ms",
            "switchboard.cluster.reconnect-max", "500ms",
            "switchboard.cluster.flush-delay", "1500ms");

    /** A node reaching Redis at {@code redisUrl} that reconnects fast; tests add to it. */
    private static Map<String, String> fastRecovery(String redisUrl) {
        Map<String, String> config = new java.util.HashMap<>(FAST_RECOVERY);
        config.put("switchboard.cluster.redis-url", redisUrl);
        return config;
    }

    @Test
    void publishesDuringAnOutageAreDeliveredAfterItInOrderOrRefused() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = fastRecovery(redis.url());
            try (GatewayNode n1 = GatewayNode.start("o1", config); GatewayNode n2 = GatewayNode.start("o2", config)) {
                String room = "chat:outage";
                WsClient publisher = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
                WsClient local = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("local"), 300, "user"));
                WsClient remote = WsClient.connect(n2.ws(), TestKeys.token(TestKeys.uniqueUser("remote"), 300, "user"));
                for (WsClient c : List.of(publisher, local, remote)) {
                    assertEquals("ok", c.join(room).getString("status"));
                }
                List<Integer> accepted = new ArrayList<>();
                int seq = 0;
                for (; seq < 50; seq++) {
                    publishAndRecord(publisher, room, seq, accepted);
                }
                remote.awaitAll(f -> "message".equals(f.getString("op")), 50, Duration.ofSeconds(20));
                redis.kill();
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> n1.status("/q/health/ready") == 200);
                for (; seq < 150; seq++) {
                    publishAndRecord(publisher, room, seq, accepted);
                }
                redis.startProcess();
                for (; seq < 200; seq++) {
                    publishAndRecord(publisher, room, seq, accepted);
                }
                // every accepted message after the first 50 reaches the other node, once and in order
                List<Integer> expected = accepted.subList(50, accepted.size());
                List<JsonObject> got = remote.awaitAll(f -> "message".equals(f.getString("op")), expected.size(),
                        Duration.ofSeconds(30));
                assertEquals(expected, got.stream().map(m -> m.getJsonObject("data").getInteger("seq")).toList());
                assertTrue(expected.size() >= 100, "the hold-back buffer takes an outage of 100 messages");
                // local delivery never stopped
                List<JsonObject> seenLocally = local.awaitAll(f -> "message".equals(f.getString("op")), accepted.size(),
                        Duration.ofSeconds(10));
                Set<String> ids = new HashSet<>();
                seenLocally.forEach(m -> assertTrue(ids.add(m.getString("id"))));
                // fan-out keeps working after recovery
                assertEquals("ok", publisher.publish(room, new JsonObject().put("seq", 999)).getString("status"));
                assertEquals(999, remote.awaitOp("message").getJsonObject("data").getInteger("seq"));
                assertTrue(remote.received().stream().noneMatch(f -> "message".equals(f.getString("op"))), "no duplicates");
            }
        }
    }

    @Test
    void aSubscriptionThatGoesSilentIsDetectedByTheCanaryAndRebuilt() {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = new TcpProxy(redis.port())) {
            Map<String, String> config = fastRecovery(proxy.url());
            config.put("switchboard.cluster.canary-interval", "500ms");
            config.put("switchboard.cluster.canary-timeout", "3s");
            Map<String, String> direct = fastRecovery(redis.url());
            try (GatewayNode listening = GatewayNode.start("s1", config); GatewayNode talking = GatewayNode.start("s2", direct)) {
                String room = "chat:silent";
                WsClient member = WsClient.connect(listening.ws(), TestKeys.token(TestKeys.uniqueUser("m"), 300, "user"));
                WsClient publisher = WsClient.connect(talking.ws(), TestKeys.token(TestKeys.uniqueUser("p"), 300, "user"));
                member.join(room);
                publisher.join(room);
                publisher.publish(room, "before");
                assertEquals("before", member.awaitOp("message").getString("data"));
                assertEquals(1, proxy.subscriberConnections());

                proxy.silenceSubscribers();
                // the socket stays open and quiet; the node notices by the missing canary and subscribes again
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> proxy.subscriberConnections() == 2);
                Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    publisher.publish(room, "after");
                    return member.received().stream().anyMatch(f -> "after".equals(f.getString("data")));
                });
            }
        }
    }

    /**
     * Publishes that reached Redis (and the other node) but whose replies were lost are sent again
     * when the publisher reconnects. The receiving node drops those copies by the origin's sequence
     * even when its own subscription was rebuilt in between (it used to forget the sequences then, and
     * delivered all 20 again).
     */
    @Test
    void copiesResentAfterTheReceiversSubscriptionWasRebuiltAreDropped() {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = new TcpProxy(redis.port())) {
            Map<String, String> viaProxy = fastRecovery(proxy.url());
            Map<String, String> direct = fastRecovery(redis.url());
            try (GatewayNode receiving = GatewayNode.start("c1", direct); GatewayNode sending = GatewayNode.start("c2", viaProxy)) {
                String room = "chat:copies";
                WsClient member = WsClient.connect(receiving.ws(), TestKeys.token(TestKeys.uniqueUser("m"), 300, "user"));
                WsClient publisher = WsClient.connect(sending.ws(), TestKeys.token(TestKeys.uniqueUser("p"), 300, "user"));
                member.join(room);
                publisher.join(room);
                publisher.publish(room, "before");
                assertEquals("before", member.awaitOp("message").getString("data"));

                proxy.silencePublishers();
                for (int i = 0; i < 20; i++) {
                    assertEquals("ok", publisher.publish(room, i).getString("status"));
                }
                List<JsonObject> first = member.awaitAll(f -> "message".equals(f.getString("op")), 20, Duration.ofSeconds(10));
                assertEquals(20, first.size());
                // the receiving node's subscription is rebuilt
                redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> receiving.logLines().stream().filter(l -> l.contains("Redis subscriber connected")).count() == 2);
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> redis.cliLines("PUBSUB", "NUMSUB", "switchboard:room:" + room).get(1).trim().equals("2"));
                // the publisher's connection drops with 20 publishes unanswered: it sends them again
                proxy.dropPublishers();
                Awaitility.await().atMost(Duration.ofSeconds(15))
                        .until(() -> sending.logLines().stream().filter(l -> l.contains("Redis publisher connected")).count() == 2);
                assertEquals("ok", publisher.publish(room, "after").getString("status"));
                // a copy would come first: the resent publishes reach Redis before the new one
                assertEquals("after", member.awaitOp("message").getString("data"), "a resent copy was delivered again");
            }
        }
    }

    private static void publishAndRecord(WsClient publisher, String room, int seq, List<Integer> accepted) {
        JsonObject reply = publisher.publish(room, new JsonObject().put("seq", seq));
        if ("ok".equals(reply.getString("status"))) {
            accepted.add(seq);
        } else {
            assertEquals("unavailable", reply.getString("code"), reply.encode());
        }
    }

    @Test
    void aFullHoldBackBufferRefusesWithUnavailable() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = fastRecovery(redis.url());
            config.put("switchboard.cluster.hold-back-messages", "5");
            try (GatewayNode n1 = GatewayNode.start("h1", config)) {
                WsClient publisher = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
                publisher.join("chat:full");
                redis.kill();
                // until the node notices, publishes are written to a dead socket and held as in flight
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                    JsonObject reply = publisher.publish("chat:full", "x");
                    return "unavailable".equals(reply.getString("code"));
                });
                JsonObject refused = publisher.publish("chat:full", "y");
                assertEquals("error", refused.getString("status"));
                assertEquals("unavailable", refused.getString("code"));
                redis.startProcess();
                Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> "ok".equals(publisher.publish("chat:full", "z").getString("status")));
            }
        }
    }
}
