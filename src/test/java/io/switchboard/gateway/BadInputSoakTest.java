package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Every kind of bad input, many times over, down one real connection: each gets its documented
 * answer, none closes the connection with 1011 or hurts the node, and memory ends where it started.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(BadInputSoakTest.Patient.class)
class BadInputSoakTest {
    private static final int ROUNDS = 200;

    /** Abuse closes are tested elsewhere; here one connection must take everything. */
    public static class Patient implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("switchboard.limits.bad-frames-before-close", "1000000",
                    "switchboard.limits.frames-per-second", "1000000",
                    "switchboard.limits.frame-burst", "1000000");
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    static List<String> badFrames() {
        List<String> frames = new ArrayList<>(List.of("", " ", "null", "0", "\"op\"", "[]", "[{\"op\":\"join\"}]", "{",
                "}", "{\"op\":\"join\"", "{\"op\":\"join\",\"room\":\"a\"}}", "{\"op\":null}", "{\"op\":true}",
                "{\"op\":{\"x\":1}}", "{\"op\":\"JOIN\",\"room\":\"a\"}", "{\"op\":\"join\",\"room\":123}",
                "{\"op\":\"join\",\"room\":\"\\u0000\"}", "{\"op\":\"join\",\"room\":\"é\"}",
                "{\"op\":\"publish\",\"room\":\"chat:x\",\"data\":" + "1".repeat(5000) + "}",
                "{\"op\":\"publish\",\"room\":\"chat:x\",\"data\":" + "[".repeat(100) + "]".repeat(100) + "}",
                "{\"op\":\"publish\",\"room\":\"chat:x\",\"data\":\"unterminated}",
                "{\"op\":\"refresh\",\"token\":123}", "{\"op\":\"refresh\",\"token\":\"\"}",
                "{\"op\":\"leave\",\"room\":\"" + "r".repeat(200) + "\"}", "{'op':'join'}", "{op:join}",
                "{\"op\":\"join\",\"room\":\"a\",\"ref\":" + "9".repeat(80) + "}"));
        frames.add(new String(new byte[] { (byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xa1 }, StandardCharsets.UTF_8));
        frames.add("{\"op\":\"publish\",\"room\":\"chat:x\",\"data\":\"" + "\\ud800".repeat(100) + "\"}".substring(0, 1));
        return frames;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void oneConnectionTakesEveryBadCaseAndTheNodeIsUnharmed() {
        List<String> frames = badFrames();
        try (WsClient warmup = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("warm"), 60, "user"))) {
            for (String frame : frames) {
                warmup.send(frame);
            }
            warmup.awaitAll(f -> "reply".equals(f.getString("op")), frames.size(), WsClient.WAIT);
        }
        long before = heapAfterGc();
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("abuser"), 600, "user"))) {
            for (int round = 0; round < ROUNDS; round++) {
                for (String frame : frames) {
                    client.send(frame);
                }
                client.sendBinary(new byte[] { 0, 1, 2 });
                List<JsonObject> replies = client.awaitAll(f -> "reply".equals(f.getString("op")), frames.size() + 1,
                        WsClient.WAIT);
                for (JsonObject reply : replies) {
                    assertEquals("error", reply.getString("status"));
                    assertEquals("bad_request", reply.getString("code"), reply.encode());
                    assertFalse(reply.getString("reason").isEmpty());
                }
            }
            assertFalse(client.isClosed(), "still open after " + ROUNDS * (frames.size() + 1) + " bad frames");
            assertEquals("ok", client.join("chat:after-abuse").getString("status"));
        }
        try (WsClient fresh = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("fresh"), 60, "user"))) {
            fresh.join("chat:fresh");
            assertEquals("ok", fresh.publish("chat:fresh", "alive").getString("status"));
            assertEquals("alive", fresh.awaitOp("message").getString("data"));
        }
        long after = heapAfterGc();
        assertTrue(after - before < 8L << 20, "heap grew by " + (after - before) + " bytes over the soak");
    }
}
