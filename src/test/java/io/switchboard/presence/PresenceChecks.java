package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * PROTOCOL section 9 on three gateway processes sharing a real Redis; the subclasses choose the
 * Redis (standalone or a Redis Cluster).
 */
abstract class PresenceChecks {
    static final Duration TIMEOUT = Duration.ofSeconds(4);
    static final Duration GRACE = Duration.ofSeconds(3);
    /** Scheduling slack on a shared two-core machine, on top of the bounds the protocol gives. */
    static final Duration SLACK = Duration.ofSeconds(3);

    static final List<GatewayNode> nodes = new ArrayList<>();

    static void startNodes(Map<String, String> redis) {
        Map<String, String> config = new LinkedHashMap<>(redis);
        config.put("switchboard.rooms.rules[2].pattern", "live:*");
        config.put("switchboard.rooms.rules[2].join", "user");
        config.put("switchboard.rooms.rules[2].publish", "user");
        config.put("switchboard.rooms.rules[2].presence-events", "true");
        config.put("switchboard.rooms.rules[3].pattern", "vip:*");
        config.put("switchboard.rooms.rules[3].join", "vip");
        config.put("switchboard.rooms.rules[3].publish", "vip");
        config.put("switchboard.rooms.rules[3].presence", "true");
        config.put("switchboard.presence.timeout", TIMEOUT.toMillis() + "ms");
        config.put("switchboard.presence.grace", GRACE.toMillis() + "ms");
        config.put("switchboard.drain.close-window", "1s");
        for (String name : List.of("p1", "p2", "p3")) {
            nodes.add(GatewayNode.start(name, config));
        }
    }

    static void stopNodes() {
        nodes.forEach(GatewayNode::close);
        nodes.clear();
    }

    static WsClient connect(GatewayNode node, String user, String... roles) {
        return WsClient.connect(node.ws(), TestKeys.token(user, 300, roles.length == 0 ? new String[] { "user" } : roles));
    }

    static WsClient member(GatewayNode node, String user, String room) {
        WsClient client = connect(node, user);
        assertEquals("ok", client.join(room).getString("status"));
        return client;
    }

    static JsonObject presence(WsClient client, String room) {
        JsonObject answer = client.request(new JsonObject().put("op", "presence").put("room", room));
        assertEquals("ok", answer.getString("status"), answer.encode());
        return answer;
    }

    static JsonArray members(Object... userAndConnections) {
        return PresenceTest.members(userAndConnections);
    }

    static Predicate<JsonObject> event(String op, String user) {
        return f -> op.equals(f.getString("op")) && user.equals(f.getString("user"));
    }

    static boolean isEvent(JsonObject frame) {
        return "joined".equals(frame.getString("op")) || "parted".equals(frame.getString("op"));
    }

    /**
     * No presence event reaches any watcher for {@code quiet} (the expected ones were taken with
     * {@link WsClient#await}): a late, repeated or unwanted event fails at once.
     */
    static void noEventsFor(Duration quiet, WsClient... watchers) {
        Awaitility.await().during(quiet).atMost(quiet.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (WsClient watcher : watchers) {
                if (watcher.received().stream().anyMatch(PresenceChecks::isEvent)) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void countAndMembersAreTheSameOnEveryNode() {
        String room = "live:count";
        String alice = "a-" + TestKeys.uniqueUser("alice");
        String bob = "b-" + TestKeys.uniqueUser("bob");
        try (WsClient a1 = member(nodes.get(0), alice, room); WsClient a2 = member(nodes.get(1), alice, room);
                WsClient b1 = member(nodes.get(1), bob, room);
                WsClient outsider = connect(nodes.get(2), TestKeys.uniqueUser("outsider"))) {
            for (WsClient asker : List.of(a1, a2, b1, outsider)) {
                JsonObject answer = presence(asker, room);
                assertEquals(2, answer.getInteger("count"), answer.encode());
                assertEquals(members(alice, 2, bob, 1), answer.getJsonArray("members"));
            }
            assertEquals("ok", a2.leave(room).getString("status"));
            for (WsClient asker : List.of(a1, b1, outsider)) {
                assertEquals(members(alice, 1, bob, 1), presence(asker, room).getJsonArray("members"));
            }
        }
    }

    @Test
    void aUsersLastConnectionClosingGivesExactlyOnePartedAfterTheGrace() {
        String room = "live:part";
        String mover = TestKeys.uniqueUser("mover");
        String watcher3 = TestKeys.uniqueUser("w3");
        try (WsClient w1 = member(nodes.get(0), TestKeys.uniqueUser("w1"), room);
                WsClient w3 = member(nodes.get(2), watcher3, room)) {
            w1.await(event("joined", watcher3));
            WsClient m1 = member(nodes.get(0), mover, room);
            WsClient m2 = member(nodes.get(1), mover, room);
            for (WsClient w : List.of(w1, w3)) {
                w.await(event("joined", mover));
            }
            m1.close();
            m2.close();
            long closed = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> presence(w1, room).getJsonArray("members")
                    .contains(new JsonObject().put("user", mover).put("connections", 0)));
            for (WsClient w : List.of(w1, w3)) {
                w.await(event("parted", mover));
                long after = System.nanoTime() - closed;
                assertTrue(after >= GRACE.toNanos(), "parted " + after / 1_000_000 + " ms after the close, before the grace");
            }
            assertEquals(2, presence(w3, room).getInteger("count"));
            // another grace and two refreshes later, still nothing more
            noEventsFor(GRACE.plus(TIMEOUT.dividedBy(2)), w1, w3);
        }
    }

    @Test
    void aRollingDrainWithEveryClientReconnectingToAnotherNodeSendsNoEvent() {
        String room = "live:drain";
        GatewayNode drained = nodes.get(0);
        try (WsClient watcher = member(nodes.get(1), TestKeys.uniqueUser("watcher"), room)) {
            List<String> users = List.of(TestKeys.uniqueUser("d1"), TestKeys.uniqueUser("d2"), TestKeys.uniqueUser("d3"));
            List<WsClient> onDrained = new ArrayList<>();
            for (String user : users) {
                onDrained.add(member(drained, user, room));
            }
            WsClient alsoElsewhere = member(nodes.get(2), users.get(0), room);
            for (String user : users) {
                watcher.await(event("joined", user));
            }
            drained.process().destroy(); // SIGTERM: the drain closes every connection with 1001
            List<WsClient> reconnected = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                assertEquals(1001, onDrained.get(i).awaitClose(Duration.ofSeconds(20)));
                reconnected.add(member(nodes.get(1), users.get(i), room));
            }
            JsonObject answer = presence(watcher, room);
            assertEquals(4, answer.getInteger("count"));
            noEventsFor(GRACE.plus(TIMEOUT.dividedBy(2)), watcher);
            assertEquals(4, presence(watcher, room).getInteger("count"));
            reconnected.forEach(WsClient::close);
            alsoElsewhere.close();
        } finally {
            restart(drained);
        }
    }

    @Test
    void aKilledNodesUsersDropOutWithinTheTimeoutAndArePartedOnce() {
        String room = "live:kill";
        GatewayNode killed = nodes.get(0);
        String v1 = TestKeys.uniqueUser("v1");
        String v2 = TestKeys.uniqueUser("v2");
        String both = TestKeys.uniqueUser("both");
        String watcher3 = TestKeys.uniqueUser("w3");
        try (WsClient w2 = member(nodes.get(1), TestKeys.uniqueUser("w2"), room);
                WsClient w3 = member(nodes.get(2), watcher3, room);
                WsClient bothElsewhere = member(nodes.get(2), both, room)) {
            w2.await(event("joined", watcher3));
            w2.await(event("joined", both));
            w3.await(event("joined", both));
            List<WsClient> victims = List.of(member(killed, v1, room), member(killed, v2, room), member(killed, both, room));
            for (WsClient w : List.of(w2, w3)) {
                w.await(event("joined", v1));
                w.await(event("joined", v2));
            }
            assertEquals(5, presence(w2, room).getInteger("count"));
            killed.process().destroyForcibly(); // SIGKILL: no close, no goodbye to Redis
            long killedAt = System.nanoTime();
            Awaitility.await().atMost(TIMEOUT.plus(SLACK)).pollInterval(Duration.ofMillis(100))
                    .until(() -> presence(w2, room).getInteger("count") == 3);
            long gone = (System.nanoTime() - killedAt) / 1_000_000;
            assertTrue(gone <= TIMEOUT.toMillis() + SLACK.toMillis(), "entries gone after " + gone + " ms");
            assertTrue(presence(w3, room).getJsonArray("members").contains(new JsonObject().put("user", both).put("connections", 1)));
            for (WsClient w : List.of(w2, w3)) {
                w.await(event("parted", v1));
                w.await(event("parted", v2));
            }
            // nothing twice (both surviving nodes settle the room), and nothing about the user still connected
            noEventsFor(TIMEOUT, w2, w3);
            victims.forEach(WsClient::close);
        } finally {
            restart(killed);
        }
    }

    @Test
    void aUserTheRuleDoesNotLetJoinIsForbiddenAndARoomWithoutPresenceIsABadRequest() {
        try (WsClient vip = member(nodes.get(0), TestKeys.uniqueUser("vip"), "chat:x");
                WsClient plain = connect(nodes.get(1), TestKeys.uniqueUser("plain"))) {
            JsonObject forbidden = plain.request(new JsonObject().put("op", "presence").put("room", "vip:lounge"));
            assertEquals("forbidden", forbidden.getString("code"), forbidden.encode());
            JsonObject off = vip.request(new JsonObject().put("op", "presence").put("room", "chat:x"));
            assertEquals("bad_request", off.getString("code"), off.encode());
        }
        try (WsClient vip = connect(nodes.get(2), TestKeys.uniqueUser("vip"), "vip")) {
            assertEquals("ok", vip.join("vip:lounge").getString("status"));
            assertEquals(1, presence(vip, "vip:lounge").getInteger("count"));
        }
    }

    private static void restart(GatewayNode node) {
        if (node.process().isAlive()) {
            node.close();
        }
        node.startProcess();
    }
}
