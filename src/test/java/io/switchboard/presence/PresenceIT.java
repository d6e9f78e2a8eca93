package io.switchboard.presence;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.switchboard.support.RedisServer;

/** Presence across three nodes and one standalone Redis. */
class PresenceIT extends PresenceChecks {
    private static RedisServer redis;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        startNodes(Map.of("switchboard.cluster.redis-url", redis.url()));
    }

    @AfterAll
    static void stop() {
        stopNodes();
        redis.close();
    }
}
