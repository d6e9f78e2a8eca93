package io.switchboard.history;

import static io.switchboard.history.RedisHistoryIT.join;
import static io.switchboard.history.RedisHistoryIT.messages;
import static io.switchboard.history.RedisHistoryIT.offsets;
import static io.switchboard.history.RedisHistoryIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * History rooms on a real three-master Redis Cluster: the script runs on the master owning the
 * room's slot, which holds the room's stream, its hash and its sharded channel (hash tag {@code {room}}).
 */
class RedisClusterHistoryIT {

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
