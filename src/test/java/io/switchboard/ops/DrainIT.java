package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** A real process, a real SIGTERM: the rolling-update path. */
class DrainIT {

    @Test
    void sigtermDrainsClientsRefusesNewOnesAndExitsInTime() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = new HashMap<>();
            config.put("switchboard.cluster.redis-url", redis.url());
            config.put("switchboard.drain.close-window", "2s");
            config.put("switchboard.drain.timeout", "6s");
            try (GatewayNode draining = GatewayNode.start("d1", config); GatewayNode staying = GatewayNode.start("d2", config)) {
                String room = "chat:drain";
                List<WsClient> clients = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    WsClient c = WsClient.connect(draining.ws(), TestKeys.token(TestKeys.uniqueUser("d"), 300, "user"));
                    c.join(room);
                    clients.add(c);
                }
                WsClient remote = WsClient.connect(staying.ws(), TestKeys.token(TestKeys.uniqueUser("r"), 300, "user"));
                remote.join(room);
                // accepted just before SIGTERM: must still reach the other node
                WsClient publisher = clients.get(0);
                for (int seq = 0; seq < 100; seq++) {
                    publisher.send(new JsonObject().put("op", "publish").put("room", room).put("data", seq).put("ref", "p" + seq));
                }
                publisher.awaitAll(f -> "reply".equals(f.getString("op")), 100, Duration.ofSeconds(10))
                        .forEach(reply -> assertEquals("ok", reply.getString("status")));

                long sigterm = System.currentTimeMillis();
                draining.process().destroy();
                org.awaitility.Awaitility.await("readiness DOWN at once").atMost(Duration.ofSeconds(1))
                        .pollInterval(Duration.ofMillis(20)).until(() -> draining.status("/q/health/ready") == 503);

                WsClient.Upgrade refused = WsClient.upgrade(draining.ws(),
                        o -> o.addHeader("Authorization", "Bearer " + TestKeys.token("late", 60, "user")));
                assertEquals(503, refused.status());
                assertEquals(new JsonObject().put("error", "draining"), refused.json());
                assertEquals("5", refused.headers().get("Retry-After"));

                List<Long> closedAt = new ArrayList<>();
                for (WsClient c : clients) {
                    assertEquals(1001, c.awaitClose(Duration.ofSeconds(10)));
                    closedAt.add(c.closedAt());
                }
                long spread = closedAt.stream().mapToLong(Long::longValue).max().orElseThrow()
                        - closedAt.stream().mapToLong(Long::longValue).min().orElseThrow();
                assertTrue(spread >= 1000, "closes spread over the window, not all at once: " + spread + " ms");

                assertTrue(draining.process().waitFor(10, TimeUnit.SECONDS), "exited");
                long took = System.currentTimeMillis() - sigterm;
                assertTrue(took < 6000 + 2000, "exited " + took + " ms after SIGTERM");

                List<JsonObject> got = remote.awaitAll(f -> "message".equals(f.getString("op")), 100, Duration.ofSeconds(10));
                assertEquals(100, got.size());
            }
        }
    }
}
