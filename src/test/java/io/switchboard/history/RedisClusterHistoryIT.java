package io.switchboard.history;

import static io.switchboard.history.RedisHistoryIT.join;
import static io.switchboard.history.RedisHistoryIT.messages;
import static io.switchboard.history.RedisHistoryIT.offsets;
import static io.switchboard.history.RedisHistoryIT.range;
import static io.switchboard.history.RedisHistoryIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * History rooms on a real three-master Redis Cluster: the script runs on the master owning the
 * room's slot, which holds the room's stream, its hash and its sharded channel (hash tag {@code {room}}).
 * That master is killed (SIGKILL) and started again with and without persistence, and a room
 * without history takes the same burst as the history room beside it.
 */
class RedisClusterHistoryIT {

    private static Map<String, String> config(List<RedisServer> masters, int size) {
        Map<String, String> config = RedisHistoryIT.config(String.join(",", masters.stream().map(RedisServer::url).toList()), size);
        config.put("switchboard.cluster.redis-mode", "cluster");
        config.put("switchboard.cluster.subscribe-timeout", "1s");
        return config;
    }

    /** The master holding the room's history (its hash exists once a member joined). */
    private static RedisServer owner(List<RedisServer> masters, String room) {
        String meta = "switchboard:history-meta:{" + room + "}";
        return masters.stream().filter(m -> "1".equals(m.cli("EXISTS", meta).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no master holds " + meta));
    }

    /** Kills the room's master, and checks that a join on {@code node} while it is down is refused and leaves no membership. */
    private static void killTheRoomsMasterAndJoinDuringTheOutage(RedisServer owner, GatewayNode node, String room) {
        owner.kill();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> node.logLines().stream().anyMatch(l -> l.contains("Redis subscription lost")));
        WsClient late = user(node, "late");
        JsonObject refused = join(late, room, null);
        assertEquals("unavailable", refused.getString("code"), refused.encode());
        assertEquals("not_joined", late.leave(room).getString("code"), "the refused join left no membership");
    }

    @Test
    void aShardLosingItsDataStartsANewEpochAnnouncedWithReset() {
        List<RedisServer> masters = RedisServer.cluster(3);
        try (GatewayNode n1 = GatewayNode.start("hk1", config(masters, 100));
                GatewayNode n2 = GatewayNode.start("hk2", config(masters, 100))) {
            String room = "hist:lost";
            WsClient member = user(n1, "m");
            WsClient publisher = user(n2, "p");
            String epoch = join(member, room, null).getJsonObject("position").getString("epoch");
            join(publisher, room, null);
            for (int i = 0; i < 5; i++) {
                publisher.publish(room, i);
            }
            assertEquals(range(1, 5), offsets(messages(member, room, 5, Duration.ofSeconds(10))));

            RedisServer owner = owner(masters, room);
            killTheRoomsMasterAndJoinDuringTheOutage(owner, n1, room);
            owner.startProcess(); // no persistence: the shard comes back empty
            JsonObject after = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                    .until(() -> publisher.publish(room, "after"), r -> "ok".equals(r.getString("status")));
            assertEquals("ok", after.getString("status"));
            JsonObject reset = member.awaitAll(f -> "reset".equals(f.getString("op")), 1, Duration.ofSeconds(60)).get(0);
            assertEquals(room, reset.getString("room"));
            String newEpoch = reset.getJsonObject("position").getString("epoch");
            assertNotEquals(epoch, newEpoch);
            assertEquals(0L, reset.getJsonObject("position").getLong("offset"));
            JsonObject first = messages(member, room, 1, Duration.ofSeconds(30)).get(0);
            assertEquals(1L, first.getLong("offset"), "offsets start again at 1 after the reset");

            WsClient back = user(n2, "m");
            JsonObject reply = join(back, room, new JsonObject().put("epoch", epoch).put("offset", 5L));
            assertEquals(false, reply.getBoolean("recovered"), reply.encode());
            assertEquals(newEpoch, reply.getJsonObject("position").getString("epoch"));
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    @Test
    void withAppendOnlyPersistenceAKilledShardLosesNothing() {
        List<RedisServer> masters = RedisServer.cluster(3, "--appendonly", "yes", "--appendfsync", "always");
        try (GatewayNode n1 = GatewayNode.start("ha1", config(masters, 1000));
                GatewayNode n2 = GatewayNode.start("ha2", config(masters, 1000))) {
            String room = "hist:aof";
            RedisHistoryIT.publishAcrossAKillLosesNothing(n1, n2, room, () -> owner(masters, room), Duration.ofSeconds(60));
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    /**
     * 300 publishes are in flight when the room's master is killed; it comes back with its AOF, and
     * 60 more follow, one every 25 ms, while it still answers {@code CLUSTERDOWN} (a restarted master
     * waits before it takes writes again). The cluster client retries each refused command on a timer
     * of its own, so a later publish reached Redis before earlier ones, whose copies the script then
     * took for stored ones: 327 of 390 were lost, with every publish answered {@code ok}. Now a
     * publish is refused until the one it follows is stored, and resent in order.
     */
    @Test
    void withAppendOnlyPersistenceABurstInFlightWhenTheShardDiesLosesNothing() {
        List<RedisServer> masters = RedisServer.cluster(3, "--appendonly", "yes", "--appendfsync", "always");
        try (GatewayNode n1 = GatewayNode.start("hb1", config(masters, 1000));
                GatewayNode n2 = GatewayNode.start("hb2", config(masters, 1000))) {
            String room = "hist:burst";
            WsClient member = user(n1, "m");
            WsClient publisher = user(n2, "p");
            join(member, room, null);
            join(publisher, room, null);
            burstAcrossAKill(publisher, room, () -> owner(masters, room));
            for (WsClient c : List.of(member, publisher)) {
                List<JsonObject> got = messages(c, room, 390, Duration.ofSeconds(60));
                assertEquals(range(1, 390), offsets(got));
                assertEquals(range(0, 389), got.stream().map(m -> (long) m.getInteger("data")).toList());
                assertTrue(c.received().stream().noneMatch(f -> "gap".equals(f.getString("op")) || "reset".equals(f.getString("op"))),
                        c.received().toString());
            }
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    /**
     * The same burst in a room without history: its {@code SPUBLISH}es are not refused while the
     * cluster is down (Redis's {@code cluster-allow-pubsubshard-when-down}, on by default), and the
     * receiving node drops the copies of publishes whose replies the kill cut off.
     */
    @Test
    void withoutHistoryTheSameBurstArrivesOnceAndInOrder() {
        List<RedisServer> masters = RedisServer.cluster(3, "--appendonly", "yes", "--appendfsync", "always");
        try (GatewayNode n1 = GatewayNode.start("pb1", config(masters, 1000));
                GatewayNode n2 = GatewayNode.start("pb2", config(masters, 1000))) {
            String room = "chat:burst";
            WsClient member = user(n1, "m");
            WsClient publisher = user(n2, "p");
            join(member, room, null);
            join(publisher, room, null);
            String channel = "switchboard:room:" + room;
            burstAcrossAKill(publisher, room, () -> masters.stream()
                    .filter(m -> !"0".equals(m.cliLines("PUBSUB", "SHARDNUMSUB", channel).get(1).trim())).findFirst().orElseThrow());
            List<JsonObject> got = messages(member, room, 390, Duration.ofSeconds(60));
            assertEquals(range(0, 389), got.stream().map(m -> (long) m.getInteger("data")).toList());
            assertEquals("ok", publisher.publish(room, "last").getString("status"));
            assertEquals("last", messages(member, room, 1, Duration.ofSeconds(10)).get(0).getString("data"), "no copy before it");
        } finally {
            masters.forEach(RedisServer::close);
        }
    }

    /**
     * Publishes data 0..389: 30 one at a time, 300 without waiting with the room's master killed
     * right after, and once it runs again, 60 more paced at 25 ms (spread over the time it refuses
     * writes). Every publish is answered {@code ok}.
     */
    private static void burstAcrossAKill(WsClient publisher, String room, Supplier<RedisServer> holder) {
        for (int i = 0; i < 30; i++) {
            assertEquals("ok", publisher.publish(room, i).getString("status"));
        }
        RedisServer owner = holder.get();
        for (int i = 30; i < 330; i++) {
            publisher.send(new JsonObject().put("op", "publish").put("room", room).put("data", i).put("ref", "burst" + i));
        }
        owner.kill();
        assertAllOk(publisher.awaitAll(f -> f.getString("ref", "").startsWith("burst"), 300, Duration.ofSeconds(30)));
        owner.startProcess();
        for (int i = 330; i < 390; i++) {
            publisher.send(new JsonObject().put("op", "publish").put("room", room).put("data", i).put("ref", "paced" + i));
            LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
        }
        assertAllOk(publisher.awaitAll(f -> f.getString("ref", "").startsWith("paced"), 60, Duration.ofSeconds(30)));
    }

    private static void assertAllOk(List<JsonObject> replies) {
        assertTrue(replies.stream().allMatch(r -> "ok".equals(r.getString("status"))), replies.toString());
    }

    @Test
    void historyRoomsKeepTheirStreamHashAndChannelOnOneShard() {
        List<RedisServer> masters = RedisServer.cluster(3);
        try {
            String seeds = String.join(",", masters.stream().map(RedisServer::url).toList());
            Map<String, String> config = RedisHistoryIT.config(seeds, 100);
            config.put("switchboard.cluster.redis-mode", "cluster");
            try (GatewayNode a = GatewayNode.start("hc1", config); GatewayNode b = GatewayNode.start("hc2", config)) {
                List<String> rooms = List.of("hist:s1", "hist:s2", "hist:s3", "hist:s4", "hist:s5", "hist:s6");
                List<WsClient> onA = new ArrayList<>();
                List<WsClient> onB = new ArrayList<>();
                List<String> epochs = new ArrayList<>();
                for (String room : rooms) {
                    WsClient x = user(a, "a");
                    WsClient y = user(b, "b");
                    epochs.add(join(x, room, null).getJsonObject("position").getString("epoch"));
                    assertEquals(epochs.get(epochs.size() - 1), join(y, room, null).getJsonObject("position").getString("epoch"));
                    onA.add(x);
                    onB.add(y);
                }
                for (int i = 0; i < rooms.size(); i++) {
                    assertEquals(1L, onA.get(i).publish(rooms.get(i), "a").getLong("offset"));
                    assertEquals(2L, onB.get(i).publish(rooms.get(i), "b").getLong("offset"));
                }
                for (int i = 0; i < rooms.size(); i++) {
                    for (WsClient member : List.of(onA.get(i), onB.get(i))) {
                        List<JsonObject> got = messages(member, rooms.get(i), 2, Duration.ofSeconds(20));
                        assertEquals(List.of(1L, 2L), offsets(got));
                        assertEquals(List.of("a", "b"), got.stream().map(m -> m.getString("data")).toList());
                    }
                }
                int shardsUsed = 0;
                for (RedisServer master : masters) {
                    List<String> channels = master.cliLines("PUBSUB", "SHARDCHANNELS", "switchboard:room:*");
                    for (String channel : channels) {
                        String room = channel.substring("switchboard:room:{".length(), channel.length() - 1);
                        assertEquals("stream", master.cli("TYPE", "switchboard:history:{" + room + "}").trim(), room);
                        assertEquals("hash", master.cli("TYPE", "switchboard:history-meta:{" + room + "}").trim(), room);
                    }
                    shardsUsed += channels.isEmpty() ? 0 : 1;
                }
                assertTrue(shardsUsed >= 2, "history rooms spread over shards: " + shardsUsed);

                // recovery on the other node, from the room's shard
                JsonObject since = new JsonObject().put("epoch", epochs.get(0)).put("offset", 1L);
                WsClient moved = user(b, "a");
                JsonObject reply = join(moved, rooms.get(0), since);
                assertEquals(true, reply.getBoolean("recovered"), reply.encode());
                assertEquals(List.of(2L), offsets(messages(moved, rooms.get(0), 1, Duration.ofSeconds(10))));
            }
        } finally {
            masters.forEach(RedisServer::close);
        }
    }
}
