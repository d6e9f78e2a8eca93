package io.switchboard;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * The packaged application (the runner jar here, the native binary where one is built) in the prod
 * profile: the dev-only token endpoint and secret are not there, and the gateway works.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(ProdPackageIT.ProdConfig.class)
class ProdPackageIT {

    public static class ProdConfig extends AuthTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("switchboard.rooms.rules[0].pattern", "chat:*");
            config.put("switchboard.rooms.rules[0].join", "user");
            config.put("switchboard.rooms.rules[0].publish", "user");
            return config;
        }
    }

    private URI ws() {
        return URI.create("ws://localhost:" + RestAssured.port + "/ws");
    }

    @Test
    void devTokenEndpointIsAbsent() {
        given().get("/dev/token?sub=mallory&roles=admin").then().statusCode(404);
    }

    @Test
    void devSecretIsNotTrusted() {
        String devSecret = "dev-only-secret-do-not-use-in-production-0123456789";
        String token = TestKeys.hs256(TestKeys.claims("mallory", 60, "user"), devSecret.getBytes(StandardCharsets.UTF_8));
        WsClient.Upgrade upgrade = WsClient.upgrade(ws(), o -> o.addHeader("Authorization", "Bearer " + token));
        assertEquals(401, upgrade.status());
        assertEquals("algorithm", upgrade.json().getString("reason"));
    }

    @Test
    void connectJoinAndPublish() {
        try (WsClient client = WsClient.connect(ws(), TestKeys.token(TestKeys.uniqueUser("it"), 60, "user"))) {
            assertEquals("ok", client.join("chat:it").getString("status"));
            assertEquals("ok", client.publish("chat:it", new JsonObject().put("n", 1)).getString("status"));
            assertEquals(1, client.awaitOp("message").getJsonObject("data").getInteger("n"));
        }
    }

    @Test
    void healthAndMetricsAreServed() {
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("switchboard_connections_open"), "gateway metrics exported");
        assertTrue(metrics.contains("switchboard_upgrades_total"), "gateway metrics exported");
    }

    @Test
    void badTokenIsRefused() {
        WsClient.Upgrade upgrade = WsClient.upgrade(ws(), o -> o.addHeader("Authorization", "Bearer nope"));
        assertEquals(401, upgrade.status());
        assertEquals("malformed", upgrade.json().getString("reason"));
    }
}
