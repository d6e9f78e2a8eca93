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

/** The endpoint role of PROTOCOL section 1: a gateway shared by applications admits only their tokens. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(EndpointRoleTest.RequiredRoles.class)
class EndpointRoleTest {

    public static class RequiredRoles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("switchboard.auth.required-roles", "user,vip");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aTokenWithoutAnyRequiredRoleIsRefused403RoleAndGetsNoSocket() {
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                "Bearer " + TestKeys.token(TestKeys.uniqueUser("guest"), 60, "guest", "editor")));
        assertEquals(403, upgrade.status(), upgrade.body());
        assertNull(upgrade.client());
        assertEquals(new JsonObject().put("error", "forbidden").put("reason", "role"), upgrade.json());
    }

    @Test
    void aTokenWithOneOfTheRolesIsAdmitted() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("vip"), 60, "vip"))) {
            assertEquals("ok", client.join("vip:lounge").getString("status"));
        }
    }

    @Test
    void aRefreshToATokenWithoutTheRoleIsForbiddenAndTheOldTokenStays() {
        String user = TestKeys.uniqueUser("refresh");
        try (WsClient client = WsClient.connect(ws, TestKeys.token(user, 60, "user"))) {
            JsonObject reply = client.request(new JsonObject().put("op", "refresh")
                    .put("token", TestKeys.token(user, 3600, "guest")));
            assertEquals("error", reply.getString("status"));
            assertEquals("forbidden", reply.getString("code"));
            // Still the old token, with its role: joins work and no room was taken away.
            assertEquals("ok", client.join("chat:still-here").getString("status"));
            JsonObject ok = client.request(new JsonObject().put("op", "refresh").put("token", TestKeys.token(user, 3600, "user")));
            assertEquals("ok", ok.getString("status"));
        }
    }
}
