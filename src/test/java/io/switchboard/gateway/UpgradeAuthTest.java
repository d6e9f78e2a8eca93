package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** PROTOCOL section 1 and 2: who gets a socket, and what everyone else is told. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class UpgradeAuthTest {

    @TestHTTPResource("/ws")
    URI ws;

    record Case(String name, String token, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> refusedTokens() {
        long now = System.currentTimeMillis() / 1000;
        JwtClaims expired = TestKeys.claims("alice", 60, "user");
        expired.setClaim("exp", now - 120);
        JwtClaims notYet = TestKeys.claims("alice", 600, "user");
        notYet.setClaim("nbf", now + 300);
        JwtClaims wrongIssuer = TestKeys.claims("alice", 60, "user");
        wrongIssuer.setIssuer("https://evil.test");
        JwtClaims wrongAudience = TestKeys.claims("alice", 60, "user");
        wrongAudience.setAudience("someone-else");
        JwtClaims noExp = TestKeys.claims("alice", 60, "user");
        noExp.unsetClaim("exp");
        JwtClaims noSub = TestKeys.claims("alice", 60, "user");
        noSub.unsetClaim("sub");
        JwtClaims groupsNotArray = TestKeys.claims("alice", 60, "user");
        groupsNotArray.setClaim("groups", 7);
        JwtClaims huge = TestKeys.claims("alice", 60, "user");
        huge.setClaim("padding", "x".repeat(9000));
        byte[] rsaPublicPem = TestKeys.publicPem(TestKeys.RSA).getBytes(StandardCharsets.US_ASCII);
        String valid = TestKeys.token("alice", 60, "user");
        return List.of(
                new Case("garbage", "not-a-jwt", "malformed"),
                new Case("two parts", "abc.def", "malformed"),
                new Case("bad signature", TestKeys.sign(TestKeys.claims("alice", 60, "user"),
                        AlgorithmIdentifiers.RSA_USING_SHA256, TestKeys.ROGUE_RSA.getPrivate(), "rsa-1"), "signature"),
                new Case("tampered payload", TestKeys.tamper(valid, Map.of("groups", List.of("admin"))), "signature"),
                new Case("alg none", TestKeys.unsigned(TestKeys.claims("alice", 60, "user")), "algorithm"),
                new Case("HS256 keyed with the RSA public key", TestKeys.sign(TestKeys.claims("alice", 60, "user"),
                        AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(rsaPublicPem), "rsa-1"), "algorithm"),
                new Case("RS384 not configured", TestKeys.sign(TestKeys.claims("alice", 60, "user"),
                        AlgorithmIdentifiers.RSA_USING_SHA384, TestKeys.RSA.getPrivate(), "rsa-1"), "algorithm"),
                new Case("expired", TestKeys.rs256(expired), "expired"),
                new Case("nbf in the future", TestKeys.rs256(notYet), "not_yet_valid"),
                new Case("wrong issuer", TestKeys.rs256(wrongIssuer), "issuer"),
                new Case("wrong audience", TestKeys.rs256(wrongAudience), "audience"),
                new Case("no exp", TestKeys.rs256(noExp), "malformed"),
                new Case("no sub", TestKeys.rs256(noSub), "malformed"),
                new Case("groups not an array", TestKeys.rs256(groupsNotArray), "malformed"),
                new Case("oversize", TestKeys.rs256(huge), "malformed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refusedTokenGets401WithReasonAndNoSocket(Case c) {
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + c.token()));
        assertUnauthorized(upgrade, c.reason());
    }

    @Test
    void missingTokenGets401Missing() {
        assertUnauthorized(WsClient.upgrade(ws, o -> {
        }), "missing");
    }

    @Test
    void nonBearerAuthorizationIsMalformed() {
        assertUnauthorized(WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Basic YWxpY2U6cHc=")), "malformed");
    }

    @Test
    void validTokenInHeaderGetsWelcome() {
        Upgrade result = open(o -> o.addHeader("Authorization", "Bearer " + TestKeys.token("alice", 60, "user", "editor")));
        JsonObject welcome = result.welcome;
        assertEquals("welcome", welcome.getString("op"));
        assertEquals("alice", welcome.getString("user"));
        assertEquals("test-node", welcome.getString("node"));
        assertNotNull(welcome.getString("connection"));
        JsonArray roles = welcome.getJsonArray("roles");
        assertTrue(roles.contains("user") && roles.contains("editor") && roles.size() == 2, roles.encode());
        long exp = welcome.getLong("exp");
        long now = System.currentTimeMillis() / 1000;
        assertTrue(exp > now + 50 && exp <= now + 61, "exp " + exp);
        result.client.close();
    }

    /** smallrye-jwt reads a string groups claim as roles separated by smallrye.jwt.groups-separator (a space). */
    @Test
    void aStringGroupsClaimIsReadAsSpaceSeparatedRoles() {
        JwtClaims claims = TestKeys.claims("grace", 60, "user");
        claims.setClaim("groups", "user editor");
        Upgrade result = open(o -> o.addHeader("Authorization", "Bearer " + TestKeys.rs256(claims)));
        JsonArray roles = result.welcome.getJsonArray("roles");
        assertTrue(roles.contains("user") && roles.contains("editor") && roles.size() == 2, roles.encode());
        result.client.close();
    }

    @Test
    void es256TokenFromJwksIsAccepted() {
        Upgrade result = open(o -> o.addHeader("Authorization", "Bearer " + TestKeys.es256(TestKeys.claims("erin", 60, "user"))));
        assertEquals("erin", result.welcome.getString("user"));
        result.client.close();
    }

    @Test
    void tokenInSubprotocolIsAcceptedAndNeverEchoed() {
        String token = TestKeys.token("bob", 60, "user");
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.setSubProtocols(List.of("switchboard.v1", "bearer." + token)));
        assertEquals(101, upgrade.status());
        try (WsClient client = upgrade.client()) {
            assertEquals("switchboard.v1", client.subprotocol());
            assertEquals("switchboard.v1", upgrade.headers().get("Sec-WebSocket-Protocol"));
            assertEquals("bob", client.next().getString("user"));
        }
    }

    @Test
    void permessageDeflateOfferIsDeclined() {
        // Browsers always offer it; accepting would give every connection a zlib deflater (about
        // 90 KB) for the sake of replies, since room messages go out uncompressed anyway.
        String token = TestKeys.token("dora", 60, "user");
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, o -> o.setSubProtocols(List.of("switchboard.v1", "bearer." + token))
                .addHeader("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
        assertEquals(101, upgrade.status());
        try (WsClient client = upgrade.client()) {
            assertNull(upgrade.headers().get("Sec-WebSocket-Extensions"));
            assertEquals("dora", client.next().getString("user"));
        }
    }

    @Test
    void bearerSubprotocolWithoutVersionIsMalformed() {
        String token = TestKeys.token("bob", 60, "user");
        assertUnauthorized(WsClient.upgrade(ws, o -> o.setSubProtocols(List.of("bearer." + token))), "malformed");
    }

    @Test
    void queryAndCookieCarriersAreOffByDefault() {
        String token = TestKeys.token("carol", 60, "user");
        URI withQuery = URI.create(ws + "?access_token=" + token);
        assertUnauthorized(WsClient.upgrade(withQuery, o -> {
        }), "missing");
        assertUnauthorized(WsClient.upgrade(ws, o -> o.addHeader("Cookie", "switchboard_token=" + token)), "missing");
    }

    @Test
    void perUserConnectionCapGives429AndFreesSlotOnClose() {
        String token = TestKeys.token("dave", 60, "user");
        WsClient first = WsClient.connect(ws, token);
        WsClient second = WsClient.connect(ws, token);
        WsClient third = WsClient.connect(ws, token);
        WsClient.Upgrade fourth = WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + token));
        assertEquals(429, fourth.status());
        assertNull(fourth.client());
        assertEquals(new JsonObject().put("error", "too_many_connections"), fourth.json());
        // another user is not affected by dave's cap
        WsClient other = WsClient.connect(ws, TestKeys.token("erin", 60, "user"));
        first.close();
        first.awaitClose();
        org.awaitility.Awaitility.await().atMost(WsClient.WAIT).until(() -> {
            WsClient.Upgrade retry = WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + token));
            if (retry.client() != null) {
                retry.client().close();
                return true;
            }
            return false;
        });
        second.close();
        third.close();
        other.close();
    }

    private record Upgrade(WsClient client, JsonObject welcome) {
    }

    private Upgrade open(Consumer<WebSocketConnectOptions> options) {
        WsClient.Upgrade upgrade = WsClient.upgrade(ws, options);
        assertEquals(101, upgrade.status(), upgrade.body());
        return new Upgrade(upgrade.client(), upgrade.client().next());
    }

    static void assertUnauthorized(WsClient.Upgrade upgrade, String reason) {
        assertEquals(401, upgrade.status(), upgrade.body());
        assertNull(upgrade.client());
        assertEquals(new JsonObject().put("error", "unauthorized").put("reason", reason), upgrade.json());
        assertEquals("Bearer error=\"invalid_token\", error_description=\"" + reason + "\"",
                upgrade.headers().get("WWW-Authenticate"));
        assertFalse(upgrade.headers().contains("Sec-WebSocket-Accept"));
    }
}
