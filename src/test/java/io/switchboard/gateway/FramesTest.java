package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/** PROTOCOL section 3: every malformed frame gets bad_request; binary is refused; oversize closes 1009. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
class FramesTest {

    @TestHTTPResource("/ws")
    URI ws;

    @AfterEach
    void nodeStillServesAFreshClient() {
        try (WsClient fresh = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("fresh"), 60, "user"))) {
            assertEquals("ok", fresh.join("chat:health").getString("status"));
            assertEquals("ok", fresh.publish("chat:health", "ping").getString("status"));
            assertEquals("ping", fresh.awaitOp("message").getString("data"));
        }
    }

    record Bad(String name, String frame, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Bad> badFrames() {
        return List.of(
                new Bad("not JSON", "hello", "not valid JSON"),
                new Bad("truncated JSON", "{\"op\":\"join\",", "not valid JSON"),
                new Bad("JSON array", "[1,2]", "frame must be a JSON object"),
                new Bad("JSON string", "\"join\"", "frame must be a JSON object"),
                new Bad("two objects", "{\"op\":\"join\",\"room\":\"chat:a\"}{}", "frame must be exactly one JSON object"),
                new Bad("no op", "{\"room\":\"chat:a\"}", "missing field: op"),
                new Bad("op not a string", "{\"op\":7}", "field must be a string: op"),
                new Bad("unknown op", "{\"op\":\"dance\"}", "unknown op"),
                new Bad("join without room", "{\"op\":\"join\"}", "missing field: room"),
                new Bad("room not a string", "{\"op\":\"join\",\"room\":[\"a\"]}", "field must be a string: room"),
                new Bad("empty room", "{\"op\":\"join\",\"room\":\"\"}", "invalid room name"),
                new Bad("room with a space", "{\"op\":\"join\",\"room\":\"chat room\"}", "invalid room name"),
                new Bad("room with a slash", "{\"op\":\"leave\",\"room\":\"chat/a\"}", "invalid room name"),
                new Bad("room too long", "{\"op\":\"join\",\"room\":\"" + "a".repeat(129) + "\"}", "invalid room name"),
                new Bad("publish without data", "{\"op\":\"publish\",\"room\":\"chat:a\"}", "missing field: data"),
                new Bad("refresh without token", "{\"op\":\"refresh\"}", "missing field: token"),
                new Bad("duplicate op", "{\"op\":\"join\",\"op\":\"leave\",\"room\":\"chat:a\"}", "duplicate field: op"),
                new Bad("ref too long", "{\"op\":\"join\",\"room\":\"chat:a\",\"ref\":\"" + "r".repeat(65) + "\"}",
                        "ref longer than 64 characters"),
                new Bad("data nested too deep", "{\"op\":\"publish\",\"room\":\"chat:a\",\"data\":" + "[".repeat(200)
                        + "]".repeat(200) + "}", "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void badFrameGetsBadRequestAndConnectionStaysOpen(Bad bad) {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.send(bad.frame());
            JsonObject reply = client.awaitOp("reply");
            assertEquals("error", reply.getString("status"));
            assertEquals("bad_request", reply.getString("code"));
            assertEquals(bad.reason(), reply.getString("reason"));
            assertEquals("ok", client.join("chat:after-bad").getString("status"));
        }
    }

    @Test
    void badRequestEchoesTheRefWhenItCouldBeRead() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.send("{\"ref\":\"q1\",\"op\":\"join\",\"room\":\"no spaces allowed\"}");
            JsonObject reply = client.awaitOp("reply");
            assertEquals("q1", reply.getString("ref"));
            assertEquals("bad_request", reply.getString("code"));
        }
    }

    /** The project's own client sends ref last: a bad field before it must not lose the correlation. */
    @Test
    void badRequestEchoesARefThatComesAfterTheBadField() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.send("{\"op\":\"join\",\"room\":42,\"ref\":\"r1\"}");
            JsonObject reply = client.awaitOp("reply");
            assertEquals("r1", reply.getString("ref"));
            assertEquals("bad_request", reply.getString("code"));
            assertEquals("field must be a string: room", reply.getString("reason"));
        }
    }

    @Test
    void unknownFieldsAreIgnored() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            JsonObject reply = client.request(new JsonObject().put("op", "join").put("room", "chat:x")
                    .put("extra", new JsonObject().put("nested", List.of(1, 2))));
            assertEquals("ok", reply.getString("status"));
        }
    }

    @Test
    void publishKeepsDataVerbatim() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.join("chat:verbatim");
            String data = "{\"n\":1.50,\"s\":\"caf\\u00e9 \\\"q\\\"\",\"a\":[true,null,{}]}";
            client.send("{\"op\":\"publish\",\"room\":\"chat:verbatim\",\"ref\":\"p\",\"data\": " + data + " }");
            JsonObject message = client.awaitOp("message");
            assertEquals(new JsonObject(data), message.getJsonObject("data"));
            assertEquals(1.50, message.getJsonObject("data").getDouble("n"));
        }
    }

    @Test
    void binaryFrameIsRefusedAndConnectionStaysOpen() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.sendBinary(new byte[] { 1, 2, 3 });
            JsonObject reply = client.awaitOp("reply");
            assertEquals("bad_request", reply.getString("code"));
            assertEquals("binary frames are not supported", reply.getString("reason"));
            assertEquals("ok", client.join("chat:after-binary").getString("status"));
            assertFalse(client.isClosed());
        }
    }

    @Test
    void frameOverTheMaximumClosesWith1009() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.join("chat:big");
            String big = "{\"op\":\"publish\",\"room\":\"chat:big\",\"data\":\"" + "x".repeat(64 * 1024) + "\"}";
            client.send(big);
            assertEquals(1009, client.awaitClose());
        }
    }

    @Test
    void frameJustUnderTheMaximumIsAccepted() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("frank"), 60, "user"))) {
            client.join("chat:big");
            String prefix = "{\"op\":\"publish\",\"room\":\"chat:big\",\"data\":\"";
            String frame = prefix + "x".repeat(64 * 1024 - prefix.length() - 2) + "\"}";
            assertEquals(64 * 1024, frame.length());
            client.send(frame);
            assertTrue(client.awaitOp("message").getString("data").length() > 60_000);
        }
    }
}
