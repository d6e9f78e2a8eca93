package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;

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

    @Test
    void everyNodeWritesItsEntriesAgainAfterRedisLostThem() {
        String room = "live:restart";
        String a = "a-" + TestKeys.uniqueUser("a");
        String b = "b-" + TestKeys.uniqueUser("b");
        try (WsClient a1 = member(nodes.get(0), a, room); WsClient b2 = member(nodes.get(1), b, room);
                WsClient b3 = member(nodes.get(2), b, room)) {
            assertEquals(members(a, 1, b, 2), presence(a1, room).getJsonArray("members"));
            redis.kill();
            redis.startProcess(); // empty: no persistence
            Awaitility.await().atMost(TIMEOUT.plus(SLACK)).untilAsserted(
                    () -> assertEquals(members(a, 1, b, 2), presence(b3, room).getJsonArray("members")));
        }
    }
}
