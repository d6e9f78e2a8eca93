package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.awaitility.Awaitility;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * The prod profile's logs: one JSON object per line naming the node, the connection id and user on a
 * connection's lines, and no token text anywhere, even with every logger at DEBUG while tokens
 * arrive in every carrier, accepted and refused.
 */
class LogsIT {
    private static final String ORIGIN = "https://app.test";

    @Test
    void jsonLinesWithNodeConnectionAndUserAndNoTokenText() {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.log.level", "DEBUG");
        config.put("switchboard.auth.carriers.cookie.enabled", "true");
        config.put("switchboard.auth.carriers.query", "true");
        config.put("switchboard.auth.allowed-origins", ORIGIN);
        List<String> secrets = new ArrayList<>();
        Map<String, String> users = new HashMap<>();
        try (GatewayNode node = GatewayNode.start("logs-node", config)) {
            Map<String, BiFunction<URI, String, WsClient.Upgrade>> carriers = Map.of(
                    "header", (ws, token) -> WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + token)
                            .addHeader("Origin", ORIGIN)),
                    "subprotocol", (ws, token) -> WsClient.upgrade(ws, o -> o.setSubProtocols(List.of("switchboard.v1", "bearer." + token))
                            .addHeader("Origin", ORIGIN)),
                    "cookie", (ws, token) -> WsClient.upgrade(ws, o -> o.addHeader("Cookie", "switchboard_token=" + token)
                            .addHeader("Origin", ORIGIN)),
                    "query", (ws, token) -> WsClient.upgrade(URI.create(ws + "?access_token=" + token), o -> o.addHeader("Origin", ORIGIN)));
            for (var carrier : carriers.entrySet()) {
                String sub = TestKeys.uniqueUser("logs-" + carrier.getKey());
                String expired = secret(secrets, TestKeys.token(sub, -120, "user"));
                assertRefused(carrier.getValue().apply(node.ws(), expired), "expired", carrier.getKey());
                JwtClaims foreign = TestKeys.claims(sub, 60, "user");
                foreign.setIssuer("https://elsewhere.test");
                assertRefused(carrier.getValue().apply(node.ws(), secret(secrets, TestKeys.rs256(foreign))), "issuer", carrier.getKey());
                String forged = secret(secrets, TestKeys.tamper(TestKeys.token(sub, 60, "user"), Map.of("groups", List.of("admin"))));
                assertRefused(carrier.getValue().apply(node.ws(), forged), "signature", carrier.getKey());

                WsClient.Upgrade accepted = carrier.getValue().apply(node.ws(), secret(secrets, TestKeys.token(sub, 60, "user")));
                assertEquals(101, accepted.status(), carrier.getKey() + ": " + accepted.body());
                try (WsClient client = accepted.client()) {
                    JsonObject welcome = client.next();
                    users.put(welcome.getString("connection"), sub);
                    assertEquals("ok", client.join("chat:logs").getString("status"));
                    String fresh = secret(secrets, TestKeys.token(sub, 120, "user"));
                    assertEquals("ok", client.request(new JsonObject().put("op", "refresh").put("token", fresh)).getString("status"));
                }
            }
            String service = secret(secrets, TestKeys.token(TestKeys.uniqueUser("svc"), 60, "service"));
            assertEquals(202, node.post("/api/v1/rooms/chat:logs/messages", service, "{}").statusCode());

            // every accepted connection's close has been logged: the output is complete
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> node.logLines().stream()
                    .filter(line -> line.contains(" closed: ")).count() >= users.size());

            List<String> lines = node.logLines();
            Map<String, JsonObject> opened = new HashMap<>();
            for (String line : lines) {
                JsonObject entry = new JsonObject(line); // throws on a line that is not one JSON object
                assertEquals("logs-node", entry.getString("node"), line);
                JsonObject mdc = entry.getJsonObject("mdc");
                if (entry.getString("message").endsWith(" opened")) {
                    opened.put(mdc.getString("connection"), mdc);
                }
                for (String secret : secrets) {
                    for (String part : secret.split("\\.")) {
                        assertFalse(line.contains(part), "token text in the log: " + line);
                    }
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains("upgrade refused: 401 signature")),
                    "the refusals were logged at DEBUG:\n" + node.logTail());
            assertEquals(users.keySet(), opened.keySet(), "one opened line per accepted connection, with its id");
            users.forEach((connection, sub) -> {
                assertNotNull(opened.get(connection));
                assertEquals(sub, opened.get(connection).getString("user"));
            });
        }
    }

    private static String secret(List<String> secrets, String token) {
        secrets.add(token);
        return token;
    }

    private static void assertRefused(WsClient.Upgrade upgrade, String reason, String carrier) {
        assertEquals(401, upgrade.status(), carrier);
        assertEquals(reason, upgrade.json().getString("reason"), carrier);
    }
}
