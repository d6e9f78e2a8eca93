package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
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

/** Each per-connection and per-node limit, at its edge. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(LimitsTest.SmallLimits.class)
class LimitsTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "switchboard.limits.frames-per-second", "1",
                    "switchboard.limits.frame-burst", "5",
                    "switchboard.limits.rate-limited-before-close", "4",
                    "switchboard.limits.bad-frames-before-close", "3",
                    "switchboard.limits.rooms-per-connection", "3",
                    "switchboard.limits.connections-per-node", "4",
                    "switchboard.limits.connections-per-user", "4");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    private WsClient connect() {
        return WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("limits"), 60, "user"));
    }

    private static JsonObject join(String room, String ref) {
        return new JsonObject().put("op", "join").put("room", room).put("ref", ref);
    }

    @Test
    void overTheRateIsRateLimitedAndSustainedAbuseCloses4429() {
        try (WsClient client = connect()) {
            for (int i = 0; i < 5; i++) {
                client.send(join("chat:r", "ok" + i));
            }
            for (int i = 0; i < 5; i++) {
                String ref = "ok" + i;
                assertEquals("ok", client.await(f -> ref.equals(f.getString("ref"))).getString("status"));
            }
            client.send(join("chat:r", "over"));
            JsonObject limited = client.await(f -> "over".equals(f.getString("ref")));
            assertEquals("rate_limited", limited.getString("code"));
            assertFalse(client.isClosed());
            for (int i = 0; i < 3; i++) {
                client.send(join("chat:r", "more" + i));
            }
            assertEquals(4429, client.awaitClose());
        }
    }

    @Test
    void badFramesUpToTheLimitCloseWith4400() {
        try (WsClient client = connect()) {
            client.send("nope");
            client.send("{\"op\":\"dance\"}");
            assertEquals(2, client.awaitAll(f -> "bad_request".equals(f.getString("code")), 2, WsClient.WAIT).size());
            assertFalse(client.isClosed());
            client.send("[]");
            assertEquals("bad_request", client.awaitOp("reply").getString("code"));
            assertEquals(4400, client.awaitClose());
        }
    }

    @Test
    void roomLimitRefusesOneMoreJoin() {
        try (WsClient client = connect()) {
            for (String room : List.of("chat:1", "chat:2", "chat:3")) {
                assertEquals("ok", client.join(room).getString("status"));
            }
            JsonObject refused = client.join("chat:4");
            assertEquals("forbidden", refused.getString("code"));
            assertEquals("room limit reached", refused.getString("reason"));
            assertEquals("ok", client.leave("chat:1").getString("status"));
            // that was the fifth frame of a five-frame burst: the next join waits for the bucket to refill
            Awaitility.await().pollInterval(java.time.Duration.ofMillis(1100))
                    .until(() -> "ok".equals(client.join("chat:4").getString("status")));
        }
    }

    @Test
    void nodeCapGives503AndFreesSlotsOnClose() {
        List<WsClient> clients = new ArrayList<>();
        Awaitility.await().until(() -> {
            // slots of other tests' connections are given back asynchronously
            WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                    "Bearer " + TestKeys.token(TestKeys.uniqueUser("node"), 60, "user")));
            if (upgrade.client() != null) {
                clients.add(upgrade.client());
            }
            return upgrade.status() == 503;
        });
        assertEquals(4, clients.size());
        WsClient.Upgrade full = WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                "Bearer " + TestKeys.token(TestKeys.uniqueUser("node"), 60, "user")));
        assertEquals(503, full.status());
        assertNull(full.client());
        assertEquals(new JsonObject().put("error", "node_full"), full.json());
        clients.remove(0).close();
        Awaitility.await().until(() -> {
            WsClient.Upgrade again = WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                    "Bearer " + TestKeys.token(TestKeys.uniqueUser("node"), 60, "user")));
            if (again.client() != null) {
                clients.add(again.client());
                return true;
            }
            return false;
        });
        clients.forEach(WsClient::close);
    }
}
