package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** Three gateway processes and one Redis: PROTOCOL sections 6 and 7. */
class ClusterIT {
    private static RedisServer redis;
    private static List<GatewayNode> nodes;

    @BeforeAll
    static void startCluster() {
        redis = RedisServer.start();
        nodes = new ArrayList<>();
        for (String name : List.of("n1", "n2", "n3")) {
            nodes.add(GatewayNode.start(name, Map.of("switchboard.cluster.redis-url", redis.url())));
        }
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(GatewayNode::close);
        redis.close();
    }

    private static WsClient member(GatewayNode node, String room) {
        WsClient client = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser(node.name()), 300, "user"));
        assertEquals("ok", client.join(room).getString("status"));
        return client;
    }

    private static String channel(String room) {
        return "switchboard:room:" + room;
    }

    @Test
    void everyMemberOnEveryNodeGetsEveryMessageOnceAndInPublisherOrder() {
        String room = "chat:fanout";
        List<WsClient> members = new ArrayList<>();
        for (GatewayNode node : nodes) {
            members.add(member(node, room));
            members.add(member(node, room));
        }
        WsClient bystander = member(nodes.get(2), "chat:other");
        Map<WsClient, Integer> counts = Map.of(members.get(0), 1000, members.get(2), 300, members.get(4), 300);
        counts.forEach((publisher, count) -> {
            for (int seq = 0; seq < count; seq++) {
                publisher.send(new JsonObject().put("op", "publish").put("room", room).put("ref", "p" + seq)
                        .put("data", new JsonObject().put("seq", seq)));
            }
        });
        int total = 1600;
        for (WsClient member : members) {
            List<JsonObject> messages = member.awaitAll(f -> "message".equals(f.getString("op")), total, Duration.ofSeconds(60));
            assertEquals(total, messages.size());
            Set<String> ids = new HashSet<>();
            Map<String, Integer> lastSeqByPublisher = new HashMap<>();
            for (JsonObject message : messages) {
                assertEquals(room, message.getString("room"));
                assertTrue(ids.add(message.getString("id")), "duplicate " + message);
                int seq = message.getJsonObject("data").getInteger("seq");
                Integer previous = lastSeqByPublisher.put(message.getString("from"), seq);
                assertEquals(previous == null ? 0 : previous + 1, seq, "order of " + message.getString("from"));
            }
            assertEquals(3, lastSeqByPublisher.size());
        }
        // a non-member of the room saw none of it: its own room's marker is all it has
        WsClient marker = member(nodes.get(0), "chat:other");
        marker.publish("chat:other", "marker");
        assertEquals("marker", bystander.awaitOp("message").getString("data"));
        assertTrue(bystander.received().stream().noneMatch(f -> room.equals(f.getString("room"))));
        members.forEach(WsClient::close);
        bystander.close();
        marker.close();
    }

    @Test
    void nodesSubscribeToExactlyTheRoomsWithLocalMembers() {
        String a = "chat:sub-a";
        String b = "chat:sub-b";
        awaitSubscribers(Map.of(a, 0, b, 0));
        WsClient onFirst = member(nodes.get(0), a);
        awaitSubscribers(Map.of(a, 1, b, 0));
        WsClient onSecond = member(nodes.get(1), b);
        awaitSubscribers(Map.of(a, 1, b, 1));
        WsClient secondInA = member(nodes.get(1), a);
        WsClient anotherInA = member(nodes.get(1), a);
        awaitSubscribers(Map.of(a, 2, b, 1));
        onFirst.leave(a);
        awaitSubscribers(Map.of(a, 1, b, 1));
        secondInA.close();
        awaitSubscribers(Map.of(a, 1, b, 1));
        anotherInA.close();
        onSecond.close();
        awaitSubscribers(Map.of(a, 0, b, 0));
        assertTrue(redis.cliLines("PUBSUB", "CHANNELS", "switchboard:room:chat:sub-*").isEmpty());
        onFirst.close();
    }

    /** {@code PUBSUB NUMSUB} counts one subscription per node that serves the room. */
    private static void awaitSubscribers(Map<String, Integer> expected) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (Map.Entry<String, Integer> e : expected.entrySet()) {
                List<String> numsub = redis.cliLines("PUBSUB", "NUMSUB", channel(e.getKey()));
                assertEquals(String.valueOf(e.getValue()), numsub.get(1), e.getKey());
            }
        });
    }

    @Test
    void serverApiPublishReachesMembersOnEveryNode() {
        String room = "chat:api";
        List<WsClient> members = nodes.stream().map(node -> member(node, room)).toList();
        String service = TestKeys.token("backend", 60, "service");
        HttpResponse<String> response = nodes.get(1).post("/api/v1/rooms/" + room + "/messages", service, "{\"alert\":\"fire\"}");
        assertEquals(202, response.statusCode(), response.body());
        String id = new JsonObject(response.body()).getString("id");
        for (WsClient member : members) {
            JsonObject message = member.awaitOp("message");
            assertEquals(id, message.getString("id"));
            assertEquals("server", message.getString("from"));
            assertEquals(new JsonObject().put("alert", "fire"), message.getJsonObject("data"));
            member.close();
        }
    }

    @Test
    void serverApiDisconnectClosesTheUsersConnectionsOnEveryNodeWith4403() {
        String victim = TestKeys.uniqueUser("victim");
        List<WsClient> victims = nodes.stream()
                .map(node -> WsClient.connect(node.ws(), TestKeys.token(victim, 300, "user"))).toList();
        WsClient other = member(nodes.get(0), "chat:bystanders");
        HttpResponse<String> response = nodes.get(2).post("/api/v1/users/" + victim + "/disconnect",
                TestKeys.token("backend", 60, "service"), "");
        assertEquals(202, response.statusCode(), response.body());
        for (WsClient client : victims) {
            assertEquals(4403, client.awaitClose());
        }
        assertEquals("ok", other.publish("chat:bystanders", "still here").getString("status"));
        other.close();
    }

    @Test
    void serverApiRefusesBadCallers() {
        GatewayNode node = nodes.get(0);
        String path = "/api/v1/rooms/chat:x/messages";
        HttpResponse<String> anonymous = node.post(path, null, "{}");
        assertEquals(401, anonymous.statusCode());
        assertEquals("missing", new JsonObject(anonymous.body()).getString("reason"));
        assertEquals(401, node.post(path, "garbage", "{}").statusCode());
        HttpResponse<String> user = node.post(path, TestKeys.token("u", 60, "user"), "{}");
        assertEquals(403, user.statusCode());
        assertEquals("forbidden", new JsonObject(user.body()).getString("error"));
        String service = TestKeys.token("backend", 60, "service");
        HttpResponse<String> badRoom = node.post("/api/v1/rooms/bad%20room/messages", service, "{}");
        assertEquals(400, badRoom.statusCode());
        assertEquals(new JsonObject().put("error", "bad_request").put("reason", "invalid room name"), new JsonObject(badRoom.body()));
        HttpResponse<String> badBody = node.post(path, service, "{not json");
        assertEquals(400, badBody.statusCode());
        assertEquals("bad_request", new JsonObject(badBody.body()).getString("error"));
        assertEquals(400, node.post(path, service, "").statusCode());
        assertEquals(403, node.post("/api/v1/users/someone/disconnect", TestKeys.token("u", 60, "user"), "").statusCode());
    }
}
