package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** Membership and room rules on one node (PROTOCOL sections 3 and 4). */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class RoomsTest {

    @TestHTTPResource("/ws")
    URI ws;

    private WsClient user(String name, String... roles) {
        return WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser(name), 60, roles));
    }

    @Test
    void membersReceiveNonMembersDoNotAndThePublisherSeesItsOwnMessage() {
        try (WsClient alice = user("alice", "user"); WsClient bob = user("bob", "user"); WsClient carol = user("carol", "user")) {
            alice.join("chat:lobby");
            bob.join("chat:lobby");
            carol.join("chat:elsewhere");

            JsonObject reply = alice.publish("chat:lobby", new JsonObject().put("text", "hi"));
            assertEquals("ok", reply.getString("status"));
            String id = reply.getString("id");
            assertNotNull(id);

            for (WsClient member : new WsClient[] { alice, bob }) {
                JsonObject message = member.awaitOp("message");
                assertEquals("chat:lobby", message.getString("room"));
                assertEquals(id, message.getString("id"));
                assertTrue(message.getString("from").startsWith("alice-"));
                assertEquals(new JsonObject().put("text", "hi"), message.getJsonObject("data"));
                long ts = message.getLong("ts");
                assertTrue(Math.abs(System.currentTimeMillis() - ts) < 10_000, "ts " + ts);
            }
            // carol's own room's message arrives; nothing from chat:lobby came before it
            carol.publish("chat:elsewhere", "marker");
            JsonObject first = carol.awaitOp("message");
            assertEquals("chat:elsewhere", first.getString("room"));
        }
    }

    @Test
    void leaveStopsDeliveryAndLeavingTwiceIsNotJoined() {
        try (WsClient alice = user("alice", "user"); WsClient bob = user("bob", "user")) {
            alice.join("chat:leaving");
            bob.join("chat:leaving");
            assertEquals("ok", bob.leave("chat:leaving").getString("status"));
            JsonObject again = bob.leave("chat:leaving");
            assertEquals("not_joined", again.getString("code"));

            alice.publish("chat:leaving", 1);
            alice.awaitOp("message");
            bob.join("chat:marker");
            bob.publish("chat:marker", 2);
            assertEquals("chat:marker", bob.awaitOp("message").getString("room"));
        }
    }

    @Test
    void joiningTwiceIsIdempotentAndDeliversOnce() {
        try (WsClient alice = user("alice", "user")) {
            alice.join("chat:twice");
            assertEquals("ok", alice.join("chat:twice").getString("status"));
            alice.publish("chat:twice", "a");
            alice.publish("chat:twice", "b");
            assertEquals("a", alice.awaitOp("message").getString("data"));
            assertEquals("b", alice.awaitOp("message").getString("data"));
        }
    }

    @Test
    void unmatchedRoomIsForbidden() {
        try (WsClient alice = user("alice", "user")) {
            JsonObject reply = alice.join("secret:vault");
            assertEquals("error", reply.getString("status"));
            assertEquals("forbidden", reply.getString("code"));
            assertEquals("no rule allows this room", reply.getString("reason"));
        }
    }

    @Test
    void personalRoomOnlyForItsOwner() {
        String sub = TestKeys.uniqueUser("owner");
        try (WsClient owner = WsClient.connect(ws, TestKeys.token(sub, 60, "user"));
                WsClient intruder = user("intruder", "user", "vip")) {
            assertEquals("ok", owner.join("user:" + sub).getString("status"));
            JsonObject denied = intruder.join("user:" + sub);
            assertEquals("forbidden", denied.getString("code"));
            JsonObject publishDenied = intruder.publish("user:" + sub, "spam");
            assertEquals("forbidden", publishDenied.getString("code"));
        }
    }

    @Test
    void roleRulesSeparateJoinFromPublish() {
        try (WsClient reader = user("reader", "user"); WsClient editor = user("editor", "user", "editor")) {
            reader.join("news:today");
            editor.join("news:today");
            JsonObject denied = reader.publish("news:today", "fake news");
            assertEquals("forbidden", denied.getString("code"));
            assertEquals("not allowed to publish this room", denied.getString("reason"));
            assertEquals("ok", editor.publish("news:today", "headline").getString("status"));
            assertEquals("headline", reader.awaitOp("message").getString("data"));
        }
    }

    @Test
    void publishingWithoutMembershipIsNotJoinedUnlessTheRuleAllowsIt() {
        try (WsClient outsider = user("outsider", "user"); WsClient member = user("member", "user")) {
            JsonObject reply = outsider.publish("chat:closed", "hello?");
            assertEquals("not_joined", reply.getString("code"));

            member.join("open:board");
            assertEquals("ok", outsider.publish("open:board", "notice").getString("status"));
            assertEquals("notice", member.awaitOp("message").getString("data"));
        }
    }

    @Test
    void errorsWithoutRefStillGetAReply() {
        try (WsClient alice = user("alice", "user")) {
            alice.send(new JsonObject().put("op", "join").put("room", "secret:x"));
            JsonObject reply = alice.awaitOp("reply");
            assertEquals("forbidden", reply.getString("code"));
            assertTrue(!reply.containsKey("ref"));
        }
    }
}
