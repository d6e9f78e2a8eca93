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
import io.switchboard.support.Prometheus;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;

/** Sharded pub/sub against a real three-master Redis Cluster. */
class RedisClusterIT {

    @Test
    void roomsFanOutAcrossNodesAndSpreadOverShards() {
        List<RedisServer> masters = RedisServer.cluster(3);
        try {
            String seeds = String.join(",", masters.stream().map(RedisServer::url).toList());
            Map<String, String> config = Map.of("switchboard.cluster.redis-url", seeds, "switchboard.cluster.redis-mode", "cluster");
            try (GatewayNode a = GatewayNode.start("c1", config); GatewayNode b = GatewayNode.start("c2", config)) {
                List<String> rooms = List.of("chat:r1", "chat:r2", "chat:r3", "chat:r4", "chat:r5", "chat:r6");
                List<WsClient> onA = new ArrayList<>();
                List<WsClient> onB = new ArrayList<>();
                for (String room : rooms) {
                    WsClient x = WsClient.connect(a.ws(), TestKeys.token(TestKeys.uniqueUser("a"), 300, "user"));
                    WsClient y = WsClient.connect(b.ws(), TestKeys.token(TestKeys.uniqueUser("b"), 300, "user"));
                    assertEquals("ok", x.join(room).getString("status"));
                    assertEquals("ok", y.join(room).getString("status"));
                    onA.add(x);
                    onB.add(y);
                }
                for (int i = 0; i < rooms.size(); i++) {
                    assertEquals("ok", onA.get(i).publish(rooms.get(i), "from a " + i).getString("status"));
                    assertEquals("ok", onB.get(i).publish(rooms.get(i), "from b " + i).getString("status"));
                }
                for (int i = 0; i < rooms.size(); i++) {
                    for (WsClient member : List.of(onA.get(i), onB.get(i))) {
                        Set<String> data = new HashSet<>();
                        member.awaitAll(f -> "message".equals(f.getString("op")), 2, Duration.ofSeconds(20))
                                .forEach(m -> data.add(m.getString("data")));
                        assertEquals(Set.of("from a " + i, "from b " + i), data);
                    }
                }
                // each master carries only the room channels whose slots it owns, and more than one has some
                Set<String> seen = new HashSet<>();
                int mastersWithRooms = 0;
                for (RedisServer master : masters) {
                    List<String> channels = master.cliLines("PUBSUB", "SHARDCHANNELS", "switchboard:room:*");
                    channels.forEach(c -> assertTrue(seen.add(c), c + " on two shards"));
                    if (!channels.isEmpty()) {
                        mastersWithRooms++;
                    }
                }
                assertEquals(rooms.size(), seen.size(), seen.toString());
                assertTrue(mastersWithRooms >= 2, "rooms spread over shards: " + mastersWithRooms);
                onA.forEach(WsClient::close);
                onB.forEach(WsClient::close);
            }
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    /**
     * A cluster connection keeps a socket to every master, and a master holding none of the node's
     * channels sends it nothing. The subscriber's idle timeout (the canary timeout) closed such a
     * socket and with it the whole subscription, every canary-timeout: each rebuild left a window in
     * which rooms without history missed other nodes' messages. A quiet node keeps its subscription.
     */
    @Test
    void aQuietNodeKeepsItsShardedSubscription() {
        List<RedisServer> masters = RedisServer.cluster(3);
        try {
            String seeds = String.join(",", masters.stream().map(RedisServer::url).toList());
            Map<String, String> config = Map.of("switchboard.cluster.redis-url", seeds, "switchboard.cluster.redis-mode", "cluster",
                    "switchboard.cluster.canary-interval", "300ms", "switchboard.cluster.canary-timeout", "1500ms");
            try (GatewayNode node = GatewayNode.start("cq", config)) {
                WsClient member = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("q"), 300, "user"));
                assertEquals("ok", member.join("chat:quiet").getString("status"));
                double connected = resubscriptions(node); // the first connection counts once
                // five canary timeouts with nothing but canaries going through Redis
                Awaitility.await().during(Duration.ofMillis(7500)).atMost(Duration.ofSeconds(15))
                        .until(() -> resubscriptions(node) == connected);
                assertEquals("ok", member.publish("chat:quiet", "still here").getString("status"));
                assertEquals("still here", member.awaitOp("message").getString("data"));
                member.close();
            }
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    private static double resubscriptions(GatewayNode node) {
        return Prometheus.parse(node.get("/q/metrics").body()).value("switchboard_bus_resubscriptions_total");
    }
}
