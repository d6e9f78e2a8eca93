package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.ShiftableClock;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * Guards on every message and the token's life on an open connection (PROTOCOL section 4).
 * The test profile sets clock skew 1 s and the expiring notice 2 s.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class GuardsTest {
    private static final long SKEW_MS = 1000;

    @TestHTTPResource("/ws")
    URI ws;

    private static JsonObject refresh(String token) {
        return new JsonObject().put("op", "refresh").put("token", token);
    }

    @Test
    void roleDeniedIsForbiddenAndTheConnectionStaysOpen() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("u"), 60, "user"))) {
            JsonObject reply = client.join("vip:lounge");
            assertEquals("forbidden", reply.getString("code"));
            assertEquals("ok", client.join("chat:still-open").getString("status"));
            assertFalse(client.isClosed());
        }
    }

    @Test
    void frameAfterExpiryGetsTokenExpiredThenClose4401() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("late"), 60, "user"))) {
            client.join("chat:late");
            ShiftableClock.shift(Duration.ofMinutes(2).toMillis());
            client.send(new JsonObject().put("op", "publish").put("room", "chat:late").put("data", 1).put("ref", "x"));
            JsonObject reply = client.awaitOp("reply");
            assertEquals("error", reply.getString("status"));
            assertEquals("token_expired", reply.getString("code"));
            assertEquals("x", reply.getString("ref"));
            assertEquals(4401, client.awaitClose());
            assertTrue(client.received().stream().noneMatch(f -> "message".equals(f.getString("op"))));
        } finally {
            ShiftableClock.reset();
        }
    }

    @Test
    void badFrameAfterExpiryIsAlsoAnsweredTokenExpired() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("late"), 60, "user"))) {
            ShiftableClock.shift(Duration.ofMinutes(2).toMillis());
            client.send("not json");
            assertEquals("token_expired", client.awaitOp("reply").getString("code"));
            assertEquals(4401, client.awaitClose());
        } finally {
            ShiftableClock.reset();
        }
    }

    @Test
    void silentConnectionIsClosedWithinOneSecondOfExpiryPlusSkewAfterAnExpiringNotice() {
        long exp = System.currentTimeMillis() / 1000 + 3;
        JwtClaims claims = TestKeys.claims(TestKeys.uniqueUser("silent"), 3, "user");
        claims.setClaim("exp", exp);
        try (WsClient client = WsClient.connect(ws, TestKeys.rs256(claims))) {
            JsonObject expiring = client.awaitOp("expiring");
            assertEquals(exp, expiring.getLong("exp"));
            long noticeAt = System.currentTimeMillis();
            assertTrue(noticeAt >= exp * 1000 - 2000 - 200, "expiring came too early: " + (exp * 1000 - noticeAt) + " ms before exp");

            int code = client.awaitClose(Duration.ofSeconds(10));
            long closedAt = System.currentTimeMillis();
            assertEquals(4401, code);
            long deadline = exp * 1000 + SKEW_MS;
            assertTrue(closedAt >= deadline - 50, "closed " + (deadline - closedAt) + " ms before exp + skew");
            assertTrue(closedAt <= deadline + 1000, "closed " + (closedAt - deadline) + " ms after exp + skew");
            assertTrue(client.received().stream().noneMatch(f -> "expiring".equals(f.getString("op"))),
                    "expiring is sent once");
        }
    }

    @Test
    void refreshExtendsTheLife() {
        String sub = TestKeys.uniqueUser("refresher");
        long exp = System.currentTimeMillis() / 1000 + 3;
        JwtClaims claims = TestKeys.claims(sub, 3, "user");
        claims.setClaim("exp", exp);
        try (WsClient client = WsClient.connect(ws, TestKeys.rs256(claims))) {
            client.join("chat:long-life");
            client.awaitOp("expiring");
            assertEquals("ok", client.request(refresh(TestKeys.token(sub, 60, "user"))).getString("status"));
            // well past the old exp + skew the connection still works
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(8))
                    .until(() -> System.currentTimeMillis() > exp * 1000 + SKEW_MS + 1500);
            assertFalse(client.isClosed());
            assertEquals("ok", client.publish("chat:long-life", "still here").getString("status"));
            assertEquals("still here", client.awaitOp("message").getString("data"));
        }
    }

    @Test
    void refreshWithAnotherSubIsRefusedAndTheOldTokenStays() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("me"), 60, "user"))) {
            JsonObject reply = client.request(refresh(TestKeys.token("someone-else", 600, "user", "vip")));
            assertEquals("forbidden", reply.getString("code"));
            assertEquals("token is for another user", reply.getString("reason"));
            assertEquals("forbidden", client.join("vip:lounge").getString("code"));
            assertEquals("ok", client.join("chat:mine").getString("status"));
        }
    }

    @Test
    void refreshWithAnInvalidTokenIsRefusedAndTheOldTokenStays() {
        String sub = TestKeys.uniqueUser("me");
        try (WsClient client = WsClient.connect(ws, TestKeys.token(sub, 60, "user"))) {
            JwtClaims expired = TestKeys.claims(sub, 60, "user", "vip");
            expired.setClaim("exp", System.currentTimeMillis() / 1000 - 100);
            JsonObject reply = client.request(refresh(TestKeys.rs256(expired)));
            assertEquals("bad_request", reply.getString("code"));
            assertEquals("invalid token: expired", reply.getString("reason"));
            JsonObject garbage = client.request(refresh("garbage"));
            assertEquals("invalid token: malformed", garbage.getString("reason"));
            assertEquals("forbidden", client.join("vip:lounge").getString("code"));
            assertFalse(client.isClosed());
        }
    }

    @Test
    void refreshThatLosesARoleLeavesTheRoomWithALeftFrame() {
        String sub = TestKeys.uniqueUser("vip");
        try (WsClient client = WsClient.connect(ws, TestKeys.token(sub, 60, "user", "vip"));
                WsClient other = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("vip"), 60, "vip"))) {
            client.join("vip:lounge");
            client.join("chat:general");
            other.join("vip:lounge");

            JsonObject reply = client.request(refresh(TestKeys.token(sub, 60, "user")));
            assertEquals("ok", reply.getString("status"));
            JsonObject left = client.awaitOp("left");
            assertEquals("vip:lounge", left.getString("room"));
            assertEquals("forbidden", left.getString("reason"));

            // no longer a member: vip traffic does not reach it, chat traffic still does
            other.publish("vip:lounge", "members only");
            other.awaitOp("message");
            client.publish("chat:general", "marker");
            JsonObject next = client.awaitOp("message");
            assertEquals("chat:general", next.getString("room"));
            assertTrue(client.received().stream().noneMatch(f -> "vip:lounge".equals(f.getString("room"))));
        }
    }

    @Test
    void refreshGainingARoleAllowsMore() {
        String sub = TestKeys.uniqueUser("upgrade");
        try (WsClient client = WsClient.connect(ws, TestKeys.token(sub, 60, "user"))) {
            client.join("news:today");
            assertEquals("forbidden", client.publish("news:today", "x").getString("code"));
            client.request(refresh(TestKeys.token(sub, 60, "user", "editor")));
            assertEquals("ok", client.publish("news:today", "y").getString("status"));
        }
    }
}
