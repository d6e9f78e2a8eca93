package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
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
 * down with it: the fast member gets every message, the stalled one is closed with 1013. Direct
 * memory is the JVM's NIO buffers, which Netty's pool allocates from (it ran out here before).
 */
class OverloadIT {
    private static final int MESSAGES = 4_000;
    private static final String PADDING = "x".repeat(16 * 1024);
    private static final Pattern SEQ = Pattern.compile("\"op\":\"message\".*?\"seq\":(\\d+)");

    @Test
    void aFloodWithAStalledReaderNeitherExhaustsMemoryNorStarvesTheFastReader() throws Exception {
        try (GatewayNode node = GatewayNode.start("overload", Map.of(
                // the shipped per-connection bound, not the test nodes' generous one
                "switchboard.limits.outbound-queue-bytes", "1048576",
                "switchboard.limits.outbound-queue-frames", "1024"),
                List.of("-Xmx128m", "-XX:MaxDirectMemorySize=64m"))) {
            String room = "open:overload";
            WsClient publisher = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
            // the fast member reads on its own thread and only counts: nothing on the client side slows it
            RawWsClient fast = RawWsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("fast"), 300, "user"), 1 << 20);
            assertEquals("welcome", new JsonObject(fast.readText()).getString("op"));
            fast.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(fast.readText()).getString("status"));
            Set<Integer> seqs = ConcurrentHashMap.newKeySet();
            AtomicInteger fastClose = new AtomicInteger();
            Thread reader = new Thread(() -> {
                String text;
                while ((text = fast.readTextOrNull()) != null) {
                    Matcher seq = SEQ.matcher(text);
                    if (seq.find()) {
                        seqs.add(Integer.parseInt(seq.group(1)));
                    }
                }
                fastClose.set(fast.closeCode());
            }, "fast-reader");
            reader.start();
            RawWsClient slow = RawWsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("slow"), 300, "user"));
            assertEquals("welcome", new JsonObject(slow.readText()).getString("op"));
            slow.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(slow.readText()).getString("status"));
            // from here on the slow member never reads again

            // the publisher writes the whole flood at once and reads its replies only at the end
            for (int seq = 0; seq < MESSAGES; seq++) {
                publisher.send(new JsonObject().put("op", "publish").put("room", room).put("ref", "p" + seq)
                        .put("data", new JsonObject().put("seq", seq).put("pad", PADDING)).encode());
            }
            AtomicLong peakDirect = new AtomicLong();
            AtomicLong peakHeap = new AtomicLong();
            Awaitility.await("the fast member's messages").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        Prometheus metrics = Prometheus.parse(node.get("/q/metrics").body());
                        peakDirect.accumulateAndGet((long) metrics.value("jvm_buffer_memory_used_bytes", "id", "direct"),
                                Math::max);
                        peakHeap.accumulateAndGet((long) metrics.value("jvm_memory_used_bytes", "area", "heap"), Math::max);
                        return !reader.isAlive() || seqs.size() >= MESSAGES;
                    });
            String scraped = node.get("/q/metrics").body().lines().filter(l -> l.startsWith("switchboard_") && !l.contains("latency")).toList().toString();
            assertTrue(reader.isAlive(), "the fast member was closed (" + fastClose.get() + ") after " + seqs.size()
                    + " messages: " + scraped);
            assertEquals(MESSAGES, seqs.size(), "the fast member got every message");
            assertEquals(MESSAGES, publisher.awaitAll(f -> "reply".equals(f.getString("op")), MESSAGES, Duration.ofSeconds(30))
                    .stream().filter(r -> "ok".equals(r.getString("status"))).count(), "every publish was accepted");
            assertEquals(1013, slow.readUntilClose());

            assertTrue(node.process().isAlive(), node.logTail());
            assertFalse(node.logTail().contains("OutOfMemoryError"), node.logTail());
            assertFalse(node.logTail().contains("internal error"), node.logTail());
            // the flood is 64 MB; the bounds keep what the node holds for it to a few MB
            System.out.printf("overload: direct memory peaked at %d bytes, heap at %d bytes%n", peakDirect.get(), peakHeap.get());
            assertTrue(peakDirect.get() < 32L << 20, "direct memory peaked at " + peakDirect.get() + " bytes");
            Prometheus metrics = Prometheus.parse(node.get("/q/metrics").body());
            assertEquals(1, metrics.value("switchboard_slow_consumers_total"), "only the stalled member was cut off");
            assertEquals(0, metrics.value("switchboard_loop_overflows_total"), "the publisher was slowed, nobody cut off");
            slow.close();
            publisher.close();
            fast.close();
            reader.join(10_000);
        }
    }

}
