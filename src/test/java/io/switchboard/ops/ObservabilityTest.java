package io.switchboard.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.Prometheus;
import io.switchboard.support.ShiftableClock;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** The health endpoints and the switchboard_* metrics, after real traffic. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class ObservabilityTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    @Liveness
    LivenessCheck liveness;

    @Inject
    Vertx vertx;

    private static Prometheus scrape() {
        return Prometheus.parse(given().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    @Test
    void healthEndpointsReportStartedLiveAndReadyWithBusDetail() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'event-loops' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'event-loops' }.data.eventLoops", greaterThan(0));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'switchboard' }.data.bus", equalTo("in-process"))
                .body("checks.find { it.name == 'switchboard' }.data.draining", equalTo(false))
                .body("checks.find { it.name == 'switchboard' }.data.busConnected", equalTo(true));
    }

    @Test
    void metricsMoveWithTraffic() {
        Prometheus before = scrape();
        String sub = TestKeys.uniqueUser("metrics");
        try (WsClient a = WsClient.connect(ws, TestKeys.token(sub, 60, "user"));
                WsClient b = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("metrics"), 60, "user"))) {
            a.join("chat:metrics");
            b.join("chat:metrics");
            a.publish("chat:metrics", 1);
            a.awaitOp("message");
            b.awaitOp("message");
            a.join("vip:metrics");
            a.send("garbage");
            a.awaitOp("reply");
            WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer nope"));

            Prometheus during = scrape();
            assertEquals(2, during.value("switchboard_connections_open") - before.value("switchboard_connections_open"));
            assertTrue(during.value("switchboard_rooms_active") >= 1);
            assertEquals(2, delta(before, during, "switchboard_upgrades_total", "outcome", "accepted"));
            assertEquals(1, delta(before, during, "switchboard_upgrades_total", "outcome", "refused", "reason", "malformed"));
            assertEquals(3, delta(before, during, "switchboard_frames_in_total", "op", "join"));
            assertEquals(1, delta(before, during, "switchboard_frames_in_total", "op", "publish"));
            assertEquals(1, delta(before, during, "switchboard_frames_in_total", "op", "invalid"));
            assertEquals(1, delta(before, during, "switchboard_guard_denials_total", "reason", "forbidden"));
            assertEquals(1, delta(before, during, "switchboard_guard_denials_total", "reason", "bad_request"));
            assertEquals(2, delta(before, during, "switchboard_deliveries_total"));
            assertEquals(1, delta(before, during, "switchboard_delivery_latency_seconds_count", "path", "local"));
            // welcome x2, replies x5 (3 joins, publish, garbage) and 2 deliveries
            assertEquals(9, delta(before, during, "switchboard_frames_out_total"));

            ShiftableClock.shift(600_000);
            a.send(new JsonObject().put("op", "leave").put("room", "chat:metrics"));
            assertEquals(4401, a.awaitClose());
        } finally {
            ShiftableClock.reset();
        }
        Awaitility.await().untilAsserted(() -> {
            Prometheus after = scrape();
            assertEquals(1, delta(before, after, "switchboard_closes_total", "code", "4401"));
            assertEquals(1, delta(before, after, "switchboard_guard_denials_total", "reason", "token_expired"));
            assertEquals(before.value("switchboard_connections_open"), after.value("switchboard_connections_open"));
        });
    }

    @Test
    void theLivenessCheckExportsTheEventLoopLagItMeasures() {
        // one event loop busy for 600 ms, as under a CPU-heavy burst: the check's ping waits behind it
        long busyNanos = TimeUnit.MILLISECONDS.toNanos(600);
        vertx.nettyEventLoopGroup().next().execute(() -> {
            long until = System.nanoTime() + busyNanos;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        });
        HealthCheckResponse slow = liveness.call().await().atMost(Duration.ofSeconds(5));
        assertEquals(HealthCheckResponse.Status.UP, slow.getStatus());
        assertTrue((Long) slow.getData().get().get("maxLagMs") >= 500, slow.getData().toString());
        assertTrue(scrape().value("switchboard_event_loop_lag_seconds") >= 0.5);

        Awaitility.await().untilAsserted(() -> {
            liveness.call().await().atMost(Duration.ofSeconds(5));
            assertTrue(scrape().value("switchboard_event_loop_lag_seconds") < 0.5, "the gauge follows the last check");
        });
    }

    private static double delta(Prometheus before, Prometheus after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
