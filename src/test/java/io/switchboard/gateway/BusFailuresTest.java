package io.switchboard.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import io.switchboard.cluster.BusStatus;
import io.switchboard.cluster.BusUnavailableException;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.ScriptedBus;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * What a client and a backend see when the bus refuses or fails (PROTOCOL sections 6 and 7), driven
 * through a {@link ScriptedBus} over real WebSocket clients with real tokens. Each failure must reach
 * the caller: none may be answered as a success.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(ScriptedBus.Profile.class)
class BusFailuresTest {
    private static final String REFUSED = "the room's subscription could not be confirmed in time";
    private static final String FULL = "the other nodes are unreachable and the hold-back buffer is full";

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    ScriptedBus bus;

    @AfterEach
    void backToNormal() {
        bus.reset();
    }

    private WsClient user(String name) {
        return WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser(name), 60, "user"));
    }

    private static RequestSpecification backend() {
        return given().header("Authorization", "Bearer " + TestKeys.token("backend", 60, "service"))
                .contentType("application/json");
    }

    private static void assertError(JsonObject reply, String code, String reason) {
        assertEquals("error", reply.getString("status"), reply.encode());
        assertEquals(code, reply.getString("code"), reply.encode());
        assertEquals(reason, reply.getString("reason"), reply.encode());
    }

    /** The next room message the member receives is this one: none came before it. */
    private static void assertNextMessageIs(WsClient member, String room, Object data) {
        JsonObject message = member.awaitOp("message");
        assertEquals(room, message.getString("room"), message.encode());
        assertEquals(data, message.getValue("data"), message.encode());
    }

    @Test
    void aJoinWhoseSubscriptionIsRefusedIsUnavailableAndLeavesNoMembership() {
        try (WsClient alice = user("alice"); WsClient bob = user("bob")) {
            bus.failSubscriptions(new BusUnavailableException(REFUSED));
            assertError(alice.join("chat:refused"), "unavailable", REFUSED);

            bus.reset();
            // not a member: her leave is not_joined, and the room's messages do not reach her
            assertError(alice.leave("chat:refused"), "not_joined", "not a member of this room");
            bob.join("chat:refused");
            bob.publish("chat:refused", 1);
            assertNextMessageIs(bob, "chat:refused", 1);
            alice.join("chat:marker");
            alice.publish("chat:marker", 2);
            assertNextMessageIs(alice, "chat:marker", 2);
        }
    }

    @Test
    void aHistoryJoinWhoseSubscriptionIsRefusedIsUnavailableAndLeavesNoMembership() {
        try (WsClient alice = user("alice")) {
            bus.failSubscriptions(new BusUnavailableException(REFUSED));
            assertError(alice.join("hist:refused"), "unavailable", REFUSED);

            bus.reset();
            assertError(alice.leave("hist:refused"), "not_joined", "not a member of this room");
            // and the room can be joined once the bus answers again
            JsonObject joined = alice.join("hist:refused");
            assertEquals("ok", joined.getString("status"), joined.encode());
            assertTrue(joined.containsKey("position"), joined.encode());
        }
    }

    @Test
    void aJoinIsAnsweredOnlyOnceTheBusConfirmedTheSubscription() {
        try (WsClient alice = user("alice")) {
            bus.holdSubscriptions();
            alice.send(new JsonObject().put("op", "join").put("room", "chat:held").put("ref", "held"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> bus.heldSubscriptions() == 1);

            // a frame sent after the join is answered before it: the join waits for the bus
            assertError(alice.leave("chat:nowhere"), "not_joined", "not a member of this room");
            assertTrue(alice.received().stream().noneMatch(f -> "held".equals(f.getString("ref"))),
                    "answered before the subscription was confirmed: " + alice.received());

            bus.confirmHeld();
            assertEquals("ok", alice.await(f -> "held".equals(f.getString("ref"))).getString("status"));
            alice.publish("chat:held", 3);
            assertNextMessageIs(alice, "chat:held", 3);
        }
    }

    @Test
    void aPublishTheBusRefusesIsUnavailableWithItsRefAndDeliversNothing() {
        try (WsClient alice = user("alice")) {
            alice.join("chat:pub");
            bus.failPublishes(new BusUnavailableException(FULL));
            JsonObject refused = alice.request(new JsonObject().put("op", "publish").put("room", "chat:pub").put("data", 1));
            assertError(refused, "unavailable", FULL);

            bus.failPublishes(new IllegalStateException("a bug in an engine"));
            assertError(alice.publish("chat:pub", 2), "internal", "publish failed");

            bus.reset();
            assertEquals("ok", alice.publish("chat:pub", 3).getString("status"));
            // the first message she receives is the one accepted
            assertNextMessageIs(alice, "chat:pub", 3);
        }
    }

    @Test
    void theServerApiAnswers503WhenTheBusRefusesAPublish() {
        try (WsClient alice = user("alice")) {
            alice.join("chat:api");
            bus.failPublishes(new BusUnavailableException(FULL));
            backend().body("1").post("/api/v1/rooms/chat:api/messages").then().statusCode(503)
                    .body("error", equalTo("unavailable"));
            bus.failPublishes(new IllegalStateException("a bug in an engine"));
            backend().body("2").post("/api/v1/rooms/chat:api/messages").then().statusCode(500)
                    .body("error", equalTo("internal"));

            bus.reset();
            backend().body("3").post("/api/v1/rooms/chat:api/messages").then().statusCode(202);
            assertNextMessageIs(alice, "chat:api", 3);
        }
    }

    @Test
    void theServerApiAnswers503WhenABroadcastFailsAndNothingIsCarriedOut() {
        String sub = TestKeys.uniqueUser("target");
        try (WsClient target = WsClient.connect(ws, TestKeys.token(sub, 60, "user"))) {
            bus.failBroadcasts(new BusUnavailableException(FULL));
            backend().post("/api/v1/users/" + sub + "/disconnect").then().statusCode(503)
                    .body("error", equalTo("unavailable"));
            backend().body(new JsonObject().put("sub", sub).put("issuedBefore", System.currentTimeMillis() / 1000 + 60).encode())
                    .post("/api/v1/revocations").then().statusCode(503).body("error", equalTo("unavailable"));
            assertEquals(List.of(), bus.broadcasts());
            // still connected and served
            assertEquals("ok", target.join("chat:target").getString("status"));
            assertFalse(target.isClosed());

            bus.reset();
            backend().post("/api/v1/users/" + sub + "/disconnect").then().statusCode(202).body("sub", equalTo(sub));
            assertEquals(List.of(new ControlCommand.Disconnect(sub)), bus.broadcasts());
            assertEquals(4403, target.awaitClose());
        }
    }

    @Test
    void readinessReportsTheBusStatusButDoesNotFollowIt() {
        bus.reportStatus(new BusStatus("redis", false, 42, -1));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'switchboard' }.data.bus", equalTo("redis"))
                .body("checks.find { it.name == 'switchboard' }.data.busConnected", equalTo(false))
                .body("checks.find { it.name == 'switchboard' }.data.heldBack", equalTo(42));
    }
}
