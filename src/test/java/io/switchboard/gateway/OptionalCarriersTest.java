package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** Cookie and query carriers when switched on, and the Origin allowlist that must go with a cookie. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(OptionalCarriersTest.CarriersOn.class)
class OptionalCarriersTest {
    private static final String ALLOWED = "https://app.example";

    public static class CarriersOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "switchboard.auth.carriers.cookie.enabled", "true",
                    "switchboard.auth.carriers.cookie.name", "sb",
                    "switchboard.auth.carriers.query", "true",
                    "switchboard.auth.allowed-origins", ALLOWED + ",https://other.example");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void queryTokenIsAcceptedWhenEnabled() {
        URI withQuery = URI.create(ws + "?access_token=" + TestKeys.token(TestKeys.uniqueUser("q"), 60, "user"));
        WsClient.Upgrade upgrade = WsClient.upgrade(withQuery, o -> o.addHeader("Origin", ALLOWED));
        assertEquals(101, upgrade.status(), upgrade.body());
        try (WsClient client = upgrade.client()) {
            assertEquals("welcome", client.next().getString("op"));
        }
    }

    @Test
    void cookieTokenIsAcceptedFromAnAllowedOrigin() {
        String token = TestKeys.token(TestKeys.uniqueUser("c"), 60, "user");
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.addHeader("Cookie", "sb=" + token).addHeader("Origin", ALLOWED));
        assertEquals(101, upgrade.status(), upgrade.body());
        upgrade.client().close();
    }

    @Test
    void foreignOriginIsRefusedWith403BeforeAnyTokenIsRead() {
        String token = TestKeys.token(TestKeys.uniqueUser("c"), 60, "user");
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.addHeader("Cookie", "sb=" + token)
                .addHeader("Origin", "https://evil.example"));
        assertEquals(403, upgrade.status());
        assertNull(upgrade.client());
        assertEquals(new JsonObject().put("error", "forbidden").put("reason", "origin"), upgrade.json());
    }

    @Test
    void headerStillComesFirst() {
        String good = TestKeys.token(TestKeys.uniqueUser("h"), 60, "user");
        WsClient.Upgrade upgrade = WsClient.upgrade(URI.create(ws + "?access_token=garbage"),
                o -> o.addHeader("Authorization", "Bearer " + good).addHeader("Origin", ALLOWED));
        assertEquals(101, upgrade.status(), upgrade.body());
        upgrade.client().close();
    }
}
