package io.switchboard.presence;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.switchboard.support.RedisServer;

/** Presence across three nodes and a real three-master Redis Cluster: each room's keys in one slot. */
class PresenceRedisClusterIT extends PresenceChecks {
    private static List<RedisServer> masters;

    @BeforeAll
    static void start() {
        masters = RedisServer.cluster(3);
        startNodes(Map.of("switchboard.cluster.redis-url", String.join(",", masters.stream().map(RedisServer::url).toList()),
                "switchboard.cluster.redis-mode", "cluster"));
    }

    @AfterAll
    static void stop() {
        stopNodes();
        masters.forEach(RedisServer::close);
    }
}
