package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.switchboard.support.RedisServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The presence script on a real {@code redis-server}, driven the way nodes drive it: several stores
 * with their own node ids stand for several nodes.
 */
class RedisPresenceStoreTest {
    private static RedisServer redis;
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
        redis.close();
    }

    /** One node's store, on its own context as in the gateway. */
    private static final class Node implements AutoCloseable {
        final String id;
        final Context context = vertx.getOrCreateContext();
        final RedisPresenceStore store;

        Node(String id, Duration timeout, Duration grace) {
            this.id = id;
            this.store = new RedisPresenceStore(vertx, new RedisPresenceStore.Settings(List.of(redis.url()), false, "t:",
                    timeout, grace, Duration.ofMillis(50), Duration.ofMillis(200)), id);
            context.runOnContext(v -> store.start());
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> call(s -> s.refresh("warm-up", false)) != null);
        }

        <T> T call(Function<RedisPresenceStore, Future<T>> op) {
            CompletableFuture<T> result = new CompletableFuture<>();
            context.runOnContext(v -> op.apply(store).onComplete(ar -> {
                if (ar.succeeded()) {
                    result.complete(ar.result());
                } else {
                    result.completeExceptionally(ar.cause());
                }
            }));
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        PresenceStore.Changes set(String room, String user, int connections, boolean others) {
            return call(s -> s.set(room, user, connections, others));
        }

        PresenceStore.Snapshot query(String room) {
            return call(s -> s.query(room, Presence.MAX_LISTED));
        }

        @Override
        public void close() {
            context.runOnContext(v -> store.close());
        }
    }

    @Test
    void listsTheFirstThousandInUtf8ByteOrderAndCountsEveryone() {
        try (Node n1 = new Node("n1", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                users.add(String.format("u%04d", i));
            }
            // above U+FFFF sorts after U+FFFD in UTF-8 (and before it in UTF-16); '\u00e9' after ASCII
            users.addAll(List.of("\uD83D\uDE00", "\uFFFD", "\u00e9", "A", "a"));
            Collections.shuffle(users);
            for (int i = 0; i < users.size(); i++) {
                PresenceStore.Changes changes = n1.set("big", users.get(i), 1, i > 0);
                assertEquals(List.of(users.get(i)), changes.joined());
            }
            PresenceStore.Snapshot snapshot = n1.query("big");
            assertEquals(users.size(), snapshot.count());
            byte[][] sorted = users.stream().map(u -> u.getBytes(StandardCharsets.UTF_8)).sorted(Arrays::compareUnsigned)
                    .toArray(byte[][]::new);
            assertEquals(Presence.MAX_LISTED, snapshot.users().size());
            for (int i = 0; i < Presence.MAX_LISTED; i++) {
                assertArrayEquals(sorted[i], snapshot.users().get(i).getBytes(StandardCharsets.UTF_8), "at " + i);
            }
            assertTrue(Arrays.stream(snapshot.connections()).allMatch(c -> c == 1));
        }
    }

    @Test
    void connectionsAddUpOverNodesAndTheLastOneGoingStartsOneGrace() {
        try (Node n1 = new Node("g1", Duration.ofSeconds(30), Duration.ofMillis(500));
                Node n2 = new Node("g2", Duration.ofSeconds(30), Duration.ofMillis(500))) {
            assertEquals(List.of("a"), n1.set("g", "a", 2, false).joined());
            assertEquals(List.of(), n2.set("g", "a", 1, false).joined());
            assertArrayEquals(new long[] { 3 }, n2.query("g").connections());
            n1.set("g", "a", 0, false);
            PresenceStore.Changes last = n2.set("g", "a", 0, false);
            assertTrue(last.nextDueMillis() >= 0 && last.nextDueMillis() <= 500, "due in " + last.nextDueMillis());
            PresenceStore.Snapshot during = n1.query("g");
            assertEquals(List.of("a"), during.users());
            assertArrayEquals(new long[] { 0 }, during.connections());
            List<String> parted = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                parted.addAll(n1.call(s -> s.refresh("g", false)).parted());
                parted.addAll(n2.call(s -> s.refresh("g", false)).parted());
                return !parted.isEmpty();
            });
            parted.addAll(n1.call(s -> s.refresh("g", false)).parted());
            parted.addAll(n2.query("g").changes().parted());
            assertEquals(List.of("a"), parted);
            assertEquals(0, n2.query("g").count());
        }
    }

    @Test
    void aNodeThatStopsRefreshingLosesItsEntriesAndItsUsersArePartedOnce() {
        Duration timeout = Duration.ofMillis(1_000);
        try (Node survivor = new Node("s1", timeout, Duration.ofSeconds(5));
                Node other = new Node("s2", timeout, Duration.ofSeconds(5))) {
            Node dead = new Node("s3", timeout, Duration.ofSeconds(5));
            dead.set("d", "victim", 1, false);
            dead.set("d", "both", 1, true);
            survivor.set("d", "both", 1, false);
            other.set("d", "watcher", 1, false);
            dead.close(); // stops refreshing, removes nothing
            List<String> parted = Collections.synchronizedList(new ArrayList<>());
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                parted.addAll(survivor.call(s -> s.refresh("d", true)).parted());
                parted.addAll(other.call(s -> s.refresh("d", true)).parted());
                return survivor.query("d").count() == 2;
            });
            parted.addAll(survivor.call(s -> s.refresh("d", true)).parted());
            parted.addAll(other.call(s -> s.refresh("d", true)).parted());
            assertEquals(List.of("victim"), parted);
            PresenceStore.Snapshot left = other.query("d");
            assertEquals(List.of("both", "watcher"), left.users());
            assertArrayEquals(new long[] { 1, 1 }, left.connections());
        }
    }

    @Test
    void aNodeWhoseEntriesWereLostIsToldAndWritesThemAgain() {
        try (Node n1 = new Node("l1", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
            n1.set("l", "a", 1, false);
            n1.set("l", "b", 2, true);
            redis.cli("FLUSHALL");
            assertTrue(n1.call(s -> s.refresh("l", true)).lost());
            assertTrue(n1.set("l", "c", 1, true).lost());
            PresenceStore.Changes again = n1.call(s -> s.resync("l", Map.of("a", 1, "b", 2, "c", 1)));
            assertEquals(List.of("a", "b"), again.joined().stream().sorted().toList());
            PresenceStore.Snapshot snapshot = n1.query("l");
            assertEquals(List.of("a", "b", "c"), snapshot.users());
            assertArrayEquals(new long[] { 1, 2, 1 }, snapshot.connections());
            assertTrue(!n1.call(s -> s.refresh("l", true)).lost());
        }
    }
}
