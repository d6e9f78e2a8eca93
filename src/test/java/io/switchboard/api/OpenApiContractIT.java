package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The OpenAPI document a packaged node serves at {@code /q/openapi} and the server API's real answers
 * agree: every documented status of every operation is produced by a real call, every real answer's
 * status is documented for its operation, and its body validates against the documented schema.
 */
class OpenApiContractIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PUBLISH = "/api/v1/rooms/{room}/messages";
    private static final String DISCONNECT = "/api/v1/users/{sub}/disconnect";
    private static final String REVOKE = "/api/v1/revocations";
    /** The bus fails only with "unavailable" from outside; its unexpected-failure answer cannot be provoked. */
    private static final Set<String> NOT_PROVOKED = Set.of("post " + PUBLISH + " 500");

    private JsonObject document;
    private final Map<String, Set<String>> seen = new TreeMap<>();

    @Test
    void everyDocumentedAnswerHappensAndEveryAnswerIsDocumented() {
        try (RedisServer redis = RedisServer.start();
                GatewayNode node = GatewayNode.start("openapi", Map.of(
                        "switchboard.cluster.redis-url", redis.url(),
                        // small enough to fill with a few calls once Redis is gone, and more than the 4
                        // requests one revocation takes (store, two expiries, publish)
                        "switchboard.cluster.hold-back-messages", "8",
                        // no canary taking a slot of that buffer while the test counts on it
                        "switchboard.cluster.canary-interval", "1h"))) {
            HttpResponse<String> served = node.get("/q/openapi?format=json");
            assertEquals(200, served.statusCode());
            document = new JsonObject(served.body());
            assertEquals(404, node.status("/q/swagger-ui/"), "the Swagger UI is for dev mode only");

            String service = TestKeys.token(TestKeys.uniqueUser("svc"), 60, "service");
            String user = TestKeys.token(TestKeys.uniqueUser("user"), 60, "user");
            String expired = TestKeys.token(TestKeys.uniqueUser("svc"), -120, "service");
            JwtClaims otherIssuer = TestKeys.claims(TestKeys.uniqueUser("svc"), 60, "service");
            otherIssuer.setIssuer("https://elsewhere.test");
            String big = "\"" + "x".repeat(70_000) + "\"";

            for (String[] call : List.of(
                    new String[] { "/api/v1/rooms/chat:lobby/messages", "{\"text\":\"hi\"}" },
                    new String[] { "/api/v1/users/alice/disconnect", "" },
                    new String[] { "/api/v1/revocations", "{\"jti\":\"t-1\"}" })) {
                call(node, call[0], service, call[1], 202);
                call(node, call[0], null, call[1], 401);
                call(node, call[0], "nope", call[1], 401);
                call(node, call[0], expired, call[1], 401);
                call(node, call[0], TestKeys.rs256(otherIssuer), call[1], 401);
                call(node, call[0], user, call[1], 403);
            }
            call(node, "/api/v1/rooms/chat:lobby/messages", service, "[1, {\"a\": null}]", 202);
            call(node, "/api/v1/rooms/chat:lobby/messages", service, "not json", 400);
            call(node, "/api/v1/rooms/chat:lobby/messages", service, "1 2", 400);
            call(node, "/api/v1/rooms/bad%20room/messages", service, "{}", 400);
            call(node, "/api/v1/rooms/chat:lobby/messages", service, big, 413);
            call(node, "/api/v1/revocations", service, "{\"sub\":\"bob\",\"issuedBefore\":1795400000}", 202);
            call(node, "/api/v1/revocations", service, "{\"jti\":\"t-2\",\"sub\":\"bob\"}", 400);
            call(node, "/api/v1/revocations", service, "{\"sub\":\"bob\"}", 400);
            call(node, "/api/v1/revocations", service, "[]", 400);
            call(node, "/api/v1/revocations", service, "{\"jti\":" + big + "}", 413);

            // Redis gone: the hold-back buffer takes at most 8 messages, then every call is refused.
            redis.kill();
            int accepted = 0;
            while (call(node, "/api/v1/rooms/chat:lobby/messages", service, "{\"n\":" + accepted + "}", -1) == 202) {
                accepted++;
                assertTrue(accepted <= 8, "more publishes held than the buffer takes");
            }
            call(node, "/api/v1/rooms/chat:lobby/messages", service, "{}", 503);
            call(node, "/api/v1/users/alice/disconnect", service, "", 503);
            call(node, "/api/v1/revocations", service, "{\"jti\":\"t-3\"}", 503);
        }

        JsonObject paths = document.getJsonObject("paths");
        assertEquals(Set.of(PUBLISH, DISCONNECT, REVOKE), paths.fieldNames());
        Set<String> documented = new TreeSet<>();
        for (String path : paths.fieldNames()) {
            JsonObject operation = paths.getJsonObject(path).getJsonObject("post");
            assertNotNull(operation, path);
            operation.getJsonObject("responses").fieldNames().forEach(status -> documented.add("post " + path + " " + status));
        }
        Set<String> produced = new TreeSet<>(seen.keySet());
        Set<String> undocumented = new TreeSet<>(produced);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "answers the document does not list");
        Set<String> neverSeen = new TreeSet<>(documented);
        neverSeen.removeAll(produced);
        assertEquals(NOT_PROVOKED, neverSeen, "documented answers no call produced");

        JsonObject scheme = document.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("serviceToken");
        assertEquals("http", scheme.getString("type"));
        assertEquals("bearer", scheme.getString("scheme"));
        assertTrue(scheme.getString("description").contains("service"), "the scheme names the service role");
        assertEquals(new JsonArray().add(new JsonObject().put("serviceToken", new JsonArray())), document.getJsonArray("security"));
    }

    /** Makes a call, checks its answer against the document, and returns its status. */
    private int call(GatewayNode node, String path, String token, String body, int expectedStatus) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(path, e);
        }
        int status = response.statusCode();
        if (expectedStatus >= 0) {
            assertEquals(expectedStatus, status, path + " " + body.substring(0, Math.min(80, body.length())) + ": " + response.body());
        }
        String template = path.startsWith("/api/v1/rooms/") ? PUBLISH : path.startsWith("/api/v1/users/") ? DISCONNECT : REVOKE;
        String key = "post " + template + " " + status;
        seen.computeIfAbsent(key, k -> new TreeSet<>()).add(response.body());

        JsonObject operation = document.getJsonObject("paths").getJsonObject(template).getJsonObject("post");
        JsonObject answer = operation.getJsonObject("responses").getJsonObject(String.valueOf(status));
        assertNotNull(answer, key + " is not documented: " + response.body());
        answer = resolve(answer);
        for (String header : answer.getJsonObject("headers", new JsonObject()).fieldNames()) {
            assertTrue(response.headers().firstValue(header).isPresent(), key + " lacks the documented header " + header);
        }
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null), key);
        JsonObject schema = answer.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
        List<String> errors = new ArrayList<>();
        validate(Json.decodeValue(response.body()), schema, "$", errors);
        assertEquals(List.of(), errors, key + " body " + response.body());
        if (status == 202 && operation.containsKey("requestBody") && !body.isEmpty()) {
            JsonObject requestSchema = operation.getJsonObject("requestBody").getJsonObject("content")
                    .getJsonObject("application/json").getJsonObject("schema");
            validate(Json.decodeValue(body), requestSchema, "request", errors);
            assertEquals(List.of(), errors, key + " accepted a request the document does not describe: " + body);
        }
        return status;
    }

    /** Follows a local {@code $ref}. */
    private JsonObject resolve(JsonObject node) {
        String ref = node.getString("$ref");
        if (ref == null) {
            return node;
        }
        JsonObject target = document;
        for (String step : ref.substring(2).split("/")) {
            target = target.getJsonObject(step);
        }
        return resolve(target);
    }

    /** The JSON Schema subset the document uses: type, enum, properties, required, additionalProperties, oneOf, bounds. */
    private void validate(Object value, JsonObject schemaOrRef, String at, List<String> errors) {
        JsonObject schema = resolve(schemaOrRef);
        if (schema.containsKey("oneOf")) {
            int matches = 0;
            for (Object option : schema.getJsonArray("oneOf")) {
                List<String> optionErrors = new ArrayList<>();
                validate(value, (JsonObject) option, at, optionErrors);
                matches += optionErrors.isEmpty() ? 1 : 0;
            }
            if (matches != 1) {
                errors.add(at + " matches " + matches + " of the oneOf options");
            }
        }
        String type = schema.getString("type");
        if (type != null && !hasType(value, type)) {
            errors.add(at + " is not " + type + ": " + value);
            return;
        }
        JsonArray allowed = schema.getJsonArray("enum");
        if (allowed != null && !allowed.contains(value)) {
            errors.add(at + " = " + value + " is not one of " + allowed);
        }
        if (schema.containsKey("minLength") && value instanceof String s && s.length() < schema.getInteger("minLength")) {
            errors.add(at + " is shorter than " + schema.getInteger("minLength"));
        }
        if (schema.containsKey("minimum") && value instanceof Number n && n.doubleValue() < schema.getDouble("minimum")) {
            errors.add(at + " is below " + schema.getDouble("minimum"));
        }
        if (value instanceof JsonObject object) {
            JsonObject properties = schema.getJsonObject("properties", new JsonObject());
            for (Object required : schema.getJsonArray("required", new JsonArray())) {
                if (!object.containsKey((String) required)) {
                    errors.add(at + " lacks " + required);
                }
            }
            for (String field : object.fieldNames()) {
                if (properties.containsKey(field)) {
                    validate(object.getValue(field), properties.getJsonObject(field), at + "." + field, errors);
                } else if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
                    errors.add(at + " has the undocumented field " + field);
                }
            }
        }
    }

    private static boolean hasType(Object value, String type) {
        return switch (type) {
            case "object" -> value instanceof JsonObject;
            case "array" -> value instanceof JsonArray;
            case "string" -> value instanceof String;
            case "boolean" -> value instanceof Boolean;
            case "integer" -> value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue());
            case "number" -> value instanceof Number;
            default -> throw new AssertionError("schema type not handled here: " + type);
        };
    }
}
