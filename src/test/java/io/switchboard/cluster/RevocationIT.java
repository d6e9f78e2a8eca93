package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** PROTOCOL section 6 revocations across three nodes, a node restart and a node started later. */
class RevocationIT {
    private static final Duration WITHIN_ONE_SECOND = Duration.ofMillis(1000);

    private static String tokenWithJti(String sub, String jti, long iat) {
        return TestKeys.rs256(withJti(TestKeys.claims(sub, 300, "user"), jti, iat));
    }

    private static JwtClaims withJti(JwtClaims claims, String jti, long iat) {
        claims.setJwtId(jti);
        claims.setClaim("iat", iat);
        return claims;
    }

    private static HttpResponse<String> revoke(GatewayNode node, JsonObject body) {
        return revoke(node, TestKeys.token("backend", 60, "service"), body);
    }

    private static HttpResponse<String> revoke(GatewayNode node, String serviceToken, JsonObject body) {
        return node.post("/api/v1/revocations", serviceToken, body.encode());
    }

    private static void assertRevokedAtUpgrade(GatewayNode node, String token) {
        WsClient.Upgrade upgrade = WsClient.upgrade(node.ws(), o -> o.addHeader("Authorization", "Bearer " + token));
        assertEquals(403, upgrade.status(), node.name() + ": " + upgrade.body());
        assertEquals(new JsonObject().put("error", "forbidden").put("reason", "revoked"), upgrade.json());
    }

    @Test
    void revocationsCloseEveryNodesConnectionsWithinASecondAndOutliveRestarts() {
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = Map.of("switchboard.cluster.redis-url", redis.url());
            List<GatewayNode> nodes = new ArrayList<>();
            try {
                for (String name : List.of("v1", "v2", "v3")) {
                    nodes.add(GatewayNode.start(name, config));
                }
                long now = System.currentTimeMillis() / 1000;
                String sub = TestKeys.uniqueUser("rev");
                // by jti: only the connections carrying that token
                String stolen = tokenWithJti(sub, "stolen-jti", now);
                List<WsClient> withStolen = new ArrayList<>();
                List<WsClient> withOther = new ArrayList<>();
                for (GatewayNode node : nodes) {
                    withStolen.add(WsClient.connect(node.ws(), stolen));
                    withOther.add(WsClient.connect(node.ws(), tokenWithJti(sub, "other-" + node.name(), now)));
                }
                HttpResponse<String> byJti = revoke(nodes.get(1), new JsonObject().put("jti", "stolen-jti"));
                assertEquals(202, byJti.statusCode(), byJti.body());
                for (WsClient client : withStolen) {
                    assertEquals(4403, client.awaitClose(WITHIN_ONE_SECOND));
                }
                for (WsClient client : withOther) {
                    assertFalse(client.isClosed());
                }
                nodes.forEach(node -> assertRevokedAtUpgrade(node, stolen));
                // a revoked service token no longer reaches the server API
                String serviceToken = TestKeys.rs256(withJti(TestKeys.claims("backend", 60, "service"), "service-jti", now));
                assertEquals(202, revoke(nodes.get(0), serviceToken, new JsonObject().put("jti", "service-jti")).statusCode());
                HttpResponse<String> afterRevoked = revoke(nodes.get(0), serviceToken, new JsonObject().put("jti", "x"));
                assertEquals(403, afterRevoked.statusCode(), afterRevoked.body());
                assertEquals(new JsonObject().put("error", "forbidden").put("reason", "revoked"), new JsonObject(afterRevoked.body()));
                // a refresh to a revoked token is refused
                JsonObject refresh = withOther.get(0).request(new JsonObject().put("op", "refresh").put("token", stolen));
                assertEquals("forbidden", refresh.getString("code"));
                assertEquals("token revoked", refresh.getString("reason"));

                // by user and issue time: every token of the user issued before the cut-off
                HttpResponse<String> byUser = revoke(nodes.get(2), new JsonObject().put("sub", sub).put("issuedBefore", now + 1));
                assertEquals(202, byUser.statusCode(), byUser.body());
                for (WsClient client : withOther) {
                    assertEquals(4403, client.awaitClose(WITHIN_ONE_SECOND));
                }
                String olderToken = tokenWithJti(sub, "older", now - 10);
                String newerToken = tokenWithJti(sub, "newer", now + 2);
                nodes.forEach(node -> assertRevokedAtUpgrade(node, olderToken));
                WsClient.connect(nodes.get(0).ws(), newerToken).close();

                // a node restarted, and a node started later, both enforce what was revoked before
                nodes.get(2).close();
                nodes.set(2, GatewayNode.start("v3-restarted", config));
                nodes.add(GatewayNode.start("v4-new", config));
                assertRevokedAtUpgrade(nodes.get(2), stolen);
                assertRevokedAtUpgrade(nodes.get(3), stolen);
                assertRevokedAtUpgrade(nodes.get(3), olderToken);
                WsClient.connect(nodes.get(3).ws(), newerToken).close();
                assertTrue(redis.cli("TTL", "switchboard:retained").trim().matches("[1-9][0-9]*"),
                        "stored with a lifetime: " + redis.cli("TTL", "switchboard:retained"));
            } finally {
                nodes.forEach(GatewayNode::close);
            }
        }
    }

    @Test
    void badRevocationRequestsAre400() {
        try (GatewayNode node = GatewayNode.start("v-bad", Map.of())) {
            for (String body : List.of("{}", "[]", "{\"jti\":\"\"}", "{\"jti\":1}", "{\"sub\":\"a\"}",
                    "{\"sub\":\"a\",\"issuedBefore\":\"soon\"}", "{\"sub\":\"a\",\"issuedBefore\":1.5}",
                    "{\"jti\":\"x\",\"sub\":\"a\",\"issuedBefore\":1}", "not json")) {
                HttpResponse<String> response = node.post("/api/v1/revocations", TestKeys.token("backend", 60, "service"), body);
                assertEquals(400, response.statusCode(), body + " -> " + response.body());
                assertEquals("bad_request", new JsonObject(response.body()).getString("error"));
            }
            assertEquals(403, node.post("/api/v1/revocations", TestKeys.token("u", 60, "user"), "{\"jti\":\"x\"}").statusCode());
        }
    }
}
