package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.Prometheus;
import io.switchboard.support.RawWsClient;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * The node's memory under a publish flood, on a node with a small heap and a small direct memory
 * (the reproduction): one member stops reading, another reads as fast as it can, 4,000
 * messages of 16 KB go to their room. The node neither runs out of memory nor takes the fast member
 * down with it: the fast member gets every message, the stalled one is closed with 1013.
 */
class OverloadIT {
    private static final int MESSAGES = 4_000;
    private static final int WINDOW = 4_000;
    private static final String PADDING = "x".repeat(16 * 1024);

    @Test
    void aFloodWithAStalledReaderNeitherExhaustsMemoryNorStarvesTheFastReader() throws Exception {
        try (GatewayNode node = GatewayNode.start("overload", Map.of(
                // the shipped per-connection bound, not the test nodes' generous one
                "switchboard.limits.outbound-queue-bytes", "1048576",
                "switchboard.limits.outbound-queue-frames", "1024"),
                List.of("-Xmx128m", "-XX:MaxDirectMemorySize=64m"))) {
            String room = "open:overload";
            WsClient publisher = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
            WsClient fast = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("fast"), 300, "user"));
            fast.join(room);
            RawWsClient slow = RawWsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("slow"), 300, "user"));
            assertEquals("welcome", new JsonObject(slow.readText()).getString("op"));
            slow.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(slow.readText()).getString("status"));
            // from here on the slow member never reads again

            AtomicLong peakDirect = new AtomicLong();
            for (int seq = 0; seq < MESSAGES; seq++) {
                publisher.send(new JsonObject().put("op", "publish").put("room", room).put("ref", "p" + seq)
                        .put("data", new JsonObject().put("seq", seq).put("pad", PADDING)).encode());
                if (seq % WINDOW == WINDOW - 1) {
                    publisher.awaitAll(f -> "reply".equals(f.getString("op")), WINDOW, Duration.ofSeconds(60));
                    peakDirect.accumulateAndGet(directInUse(node), Math::max);
                }
            }
            List<JsonObject> got = fast.awaitAll(f -> "message".equals(f.getString("op")), MESSAGES,
                    Duration.ofSeconds(120));
            Set<Integer> seqs = new HashSet<>();
            got.forEach(m -> seqs.add(m.getJsonObject("data").getInteger("seq")));
            System.out.println("PEAK direct " + peakDirect.get() + " got " + seqs.size() + "\n" + node.logTail());
            assertEquals(MESSAGES, seqs.size(), "the fast member got every message once");
            assertFalse(fast.isClosed(), "the fast member is still connected");
            assertEquals(1013, slow.readUntilClose());

            assertTrue(node.process().isAlive(), node.logTail());
            assertFalse(node.logTail().contains("OutOfMemoryError"), node.logTail());
            // the flood is 64 MB; the bounds keep what the node holds for it to a few MB
            assertTrue(peakDirect.get() < 32L << 20, "direct memory peaked at " + peakDirect.get() + " bytes");
            slow.close();
            publisher.close();
            fast.close();
        }
    }

    /** Direct memory the JVM has handed out (NIO buffers, which Netty's pool allocates from here). */
    private static long directInUse(GatewayNode node) {
        return (long) Prometheus.parse(node.get("/q/metrics").body()).value("jvm_buffer_memory_used_bytes", "id", "direct");
    }
}
