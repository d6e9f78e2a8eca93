package io.switchboard.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.Prometheus;
import io.switchboard.support.RawWsClient;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** How connections end, seen from a raw socket: the order of the last frames, and how each end is counted. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class ClosingTest {

    @TestHTTPResource("/ws")
    URI ws;

    private static Prometheus scrape() {
        return Prometheus.parse(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    private RawWsClient member(String sub, String room) {
        RawWsClient client = RawWsClient.connect(ws, TestKeys.token(sub, 60, "user"));
        assertEquals("welcome", new JsonObject(client.readText()).getString("op"));
        if (room != null) {
            client.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(client.readText()).getString("status"));
        }
        return client;
    }

    /**
     * RFC 6455 section 5.5.1: after its Close frame an endpoint sends no more data frames. The member
     * stays in the room until its socket is gone (it answers the Close only after the room got busy),
     * so every message published meanwhile is queued for it.
     */
    @Test
    void noRoomMessageFollowsTheGatewaysClose() {
        String room = "open:after-close";
        String victim = TestKeys.uniqueUser("victim");
        try (RawWsClient member = member(victim, room);
                WsClient publisher = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("pub"), 60, "user"))) {
            publisher.join(room);
            given().header("Authorization", "Bearer " + TestKeys.token("backend", 60, "service"))
                    .post("/api/v1/users/" + victim + "/disconnect").then().statusCode(202);
            for (int i = 0; i < 50; i++) {
                assertEquals("ok", publisher.publish(room, i).getString("status"));
            }
            publisher.awaitAll(f -> "message".equals(f.getString("op")), 50, Duration.ofSeconds(10));
            assertEquals(0, member.dataFramesAfterClose());
        }
    }

    /** A socket that just goes away is normal traffic (mobile clients): counted as 1006, not as an internal error. */
    @Test
    void aDroppedClientIsCountedAs1006() {
        Prometheus before = scrape();
        RawWsClient dropped = member(TestKeys.uniqueUser("dropper"), "open:dropped");
        dropped.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Prometheus after = scrape();
            assertEquals(1, delta(before, after, "switchboard_closes_total", "code", "1006"));
            assertEquals(0, delta(before, after, "switchboard_closes_total", "code", "1011"));
            assertEquals(before.value("switchboard_connections_open"), after.value("switchboard_connections_open"));
        });
    }

    /** Close codes chosen by clients are bucketed, so clients cannot make the metric's label values unbounded. */
    @Test
    void closeCodesOutsideTheProtocolAreCountedAsOther() {
        Prometheus before = scrape();
        for (int code : new int[] { 4999, 3123, 1000 }) {
            RawWsClient client = member(TestKeys.uniqueUser("closer"), null);
            client.sendClose(code);
            assertEquals(code, client.readUntilClose());
            client.close();
        }
        // a Close frame without a code is a normal close (1000 to Vert.x), not a dropped socket
        RawWsClient quiet = member(TestKeys.uniqueUser("closer"), null);
        quiet.sendEmptyClose();
        quiet.readUntilClose();
        quiet.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Prometheus after = scrape();
            assertEquals(2, delta(before, after, "switchboard_closes_total", "code", "other"));
            assertTrue(delta(before, after, "switchboard_closes_total", "code", "1000") >= 2);
            assertEquals(0, delta(before, after, "switchboard_closes_total", "code", "1006"));
        });
        String scrape = given().get("/q/metrics").then().extract().asString();
        assertFalse(scrape.contains("code=\"4999\""), "no series for a client's own code");
        assertFalse(scrape.contains("code=\"3123\""), "no series for a client's own code");
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
