package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TcpProxy;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * PROTOCOL section 7: a join is answered {@code ok} only once the node receives the room's traffic;
 * when the subscription cannot be confirmed within {@code subscribe-timeout} the join is answered
 * {@code unavailable} and the connection is not a member.
 */
class JoinConfirmationIT {

    private static Map<String, String> config(String redisUrl) {
        Map<String, String> config = new HashMap<>();
        config.put("switchboard.cluster.redis-url", redisUrl);
        config.put("switchboard.cluster.reconnect-min", "50ms");
        config.put("switchboard.cluster.reconnect-max", "500ms");
        config.put("switchboard.cluster.flush-delay", "1s");
        config.put("switchboard.cluster.subscribe-timeout", "1s");
        return config;
    }

    @Test
    void aJoinDuringARedisOutageIsUnavailableAndNotAMembership() {
        try (RedisServer redis = RedisServer.start();
                GatewayNode n1 = GatewayNode.start("j1", config(redis.url()));
                GatewayNode n2 = GatewayNode.start("j2", config(redis.url()))) {
            String room = "open:outage-join";
            WsClient joiner = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("joiner"), 300, "user"));
            redis.kill();
            JsonObject refused = joiner.join(room);
            assertEquals("error", refused.getString("status"), refused.encode());
            assertEquals("unavailable", refused.getString("code"));
            assertEquals("not_joined", joiner.leave(room).getString("code"), "the refused join left no membership");

            redis.startProcess();
            WsClient member = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("member"), 300, "user"));
            WsClient publisher = WsClient.connect(n2.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "ok".equals(member.join(room).getString("status")));
            // an ok join is a subscribed one: the other node's message arrives
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                publisher.publish("open:outage-join", "hello");
                return member.received().stream().anyMatch(f -> "hello".equals(f.getString("data")));
            });
            // ...and not to the connection whose join was refused
            joiner.join("chat:marker");
            joiner.publish("chat:marker", "marker");
            assertEquals("chat:marker", joiner.awaitOp("message").getString("room"));
            assertTrue(joiner.received().stream().noneMatch(f -> "message".equals(f.getString("op"))), joiner.received().toString());
        }
    }

    @Test
    void aJoinWhoseSubscriptionIsNeverConfirmedIsUnavailable() {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = new TcpProxy(redis.port())) {
            Map<String, String> silent = config(proxy.url());
            // the canary would rebuild the silenced subscription; keep it from doing so during the test
            silent.put("switchboard.cluster.canary-timeout", "60s");
            try (GatewayNode n1 = GatewayNode.start("k1", silent)) {
                WsClient client = WsClient.connect(n1.ws(), TestKeys.token(TestKeys.uniqueUser("c"), 300, "user"));
                assertEquals("ok", client.join("chat:before").getString("status"));
                proxy.silenceSubscribers();
                JsonObject refused = client.join("chat:silenced");
                assertEquals("unavailable", refused.getString("code"), refused.encode());
                assertEquals("not_joined", client.leave("chat:silenced").getString("code"));
                assertEquals("ok", client.join("chat:before").getString("status"), "an existing membership stays");
            }
        }
    }
}
