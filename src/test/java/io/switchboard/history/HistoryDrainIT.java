package io.switchboard.history;

import static io.switchboard.history.RedisHistoryIT.join;
import static io.switchboard.history.RedisHistoryIT.offsets;
import static io.switchboard.history.RedisHistoryIT.range;
import static io.switchboard.history.RedisHistoryIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * A rolling deploy under steady publishing: the drained node's clients are closed with 1001, reconnect
 * to the other node with {@code since} set to the last offset they saw, and end with every message of
 * the room exactly once, in offset order.
 */
class HistoryDrainIT {

    @Test
    void clientsOfADrainedNodeRecoverEveryMessageOnTheOtherNode() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = RedisHistoryIT.config(redis.url(), 10_000);
            config.put("switchboard.drain.close-window", "2s");
            config.put("switchboard.drain.timeout", "6s");
            try (GatewayNode draining = GatewayNode.start("rd1", config); GatewayNode staying = GatewayNode.start("rd2", config)) {
                String room = "hist:rolling";
                List<WsClient> clients = new ArrayList<>();
                String epoch = null;
                for (int i = 0; i < 5; i++) {
                    WsClient c = user(draining, "d");
                    epoch = join(c, room, null).getJsonObject("position").getString("epoch");
                    clients.add(c);
                }
                WsClient publisher = user(staying, "p");
                join(publisher, room, null);
                AtomicInteger sent = new AtomicInteger();
                ScheduledExecutorService steady = Executors.newSingleThreadScheduledExecutor();
                steady.scheduleAtFixedRate(() -> publisher.send(new JsonObject().put("op", "publish").put("room", room)
                        .put("data", sent.incrementAndGet())), 0, 10, TimeUnit.MILLISECONDS);
                List<List<JsonObject>> before = new ArrayList<>();
                List<WsClient> moved = new ArrayList<>();
                try {
                    publisher.await(f -> "message".equals(f.getString("op")) && f.getLong("offset") >= 20);
                    draining.process().destroy();
                    for (WsClient c : clients) {
                        assertEquals(1001, c.awaitClose(Duration.ofSeconds(15)));
                        before.add(c.received().stream().filter(f -> "message".equals(f.getString("op"))).toList());
                    }
                    for (List<JsonObject> seen : before) {
                        long last = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).getLong("offset");
                        WsClient c = user(staying, "d");
                        JsonObject reply = join(c, room, new JsonObject().put("epoch", epoch).put("offset", last));
                        assertEquals(true, reply.getBoolean("recovered"), reply.encode());
                        moved.add(c);
                    }
                    publisher.await(f -> "message".equals(f.getString("op")) && f.getLong("offset") >= 200);
                } finally {
                    steady.shutdownNow();
                    assertTrue(steady.awaitTermination(10, TimeUnit.SECONDS));
                }
                long end = publisher.publish(room, "end").getLong("offset");
                for (int i = 0; i < clients.size(); i++) {
                    List<JsonObject> seen = before.get(i);
                    long last = seen.isEmpty() ? 0 : seen.get(seen.size() - 1).getLong("offset");
                    List<JsonObject> all = new ArrayList<>(seen);
                    all.addAll(moved.get(i).awaitAll(f -> "message".equals(f.getString("op")), (int) (end - last),
                            Duration.ofSeconds(30)));
                    assertEquals(range(1, end), offsets(all), "client " + i);
                    assertTrue(moved.get(i).received().stream().noneMatch(f -> "message".equals(f.getString("op"))
                            || "gap".equals(f.getString("op"))), "nothing more, no gap");
                }
            }
        }
    }
}
