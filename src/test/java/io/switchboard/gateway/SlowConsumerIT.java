package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.Prometheus;
import io.switchboard.support.RawWsClient;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * A member that stops reading while a publisher floods its room: it is closed with 1013, the node's
 * memory stays bounded, and a fast member of the same room receives every message.
 */
class SlowConsumerIT {
    private static final int MESSAGES = 60_000;
    private static final int WINDOW = 500;
    private static final long QUEUE_BYTES = 4 << 20;
    private static final int WARM_UP = 20_000;
    private static final String PADDING = "x".repeat(1024);

    @Test
    void aStalledReaderIsCutOffAndCostsBoundedMemory() throws Exception {
        try (GatewayNode node = GatewayNode.start("slow", Map.of(
                "switchboard.limits.outbound-queue-bytes", String.valueOf(QUEUE_BYTES),
                "switchboard.limits.outbound-queue-frames", "8192"))) {
            String room = "open:flood";
            WsClient publisher = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
            WsClient fast = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("fast"), 300, "user"));
            fast.join(room);
            // a flood before the stalled member is there, so what the node keeps from its start-up and
            // from flooding as such is in the baseline (on a native node: promoted to the old
            // generation by the young collections it runs)
            publishAll(publisher, room, WARM_UP);
            fast.awaitAll(f -> "message".equals(f.getString("op")), WARM_UP, Duration.ofSeconds(120));
            RawWsClient slow = RawWsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("slow"), 300, "user"));
            assertEquals("welcome", new JsonObject(slow.readText()).getString("op"));
            slow.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(slow.readText()).getString("status"));
            // from here on the slow member never reads again
            publisher.publish(room, "warm-up");
            fast.awaitOp("message");

            long heapBefore = heapAfterGc(node);
            publishAll(publisher, room, MESSAGES);
            List<JsonObject> got = fast.awaitAll(f -> "message".equals(f.getString("op")), MESSAGES, Duration.ofSeconds(120));
            Set<Integer> seqs = new HashSet<>();
            got.forEach(m -> seqs.add(m.getJsonObject("data").getInteger("seq")));
            assertEquals(MESSAGES, seqs.size(), "the fast member got every message once");

            String scrape = node.get("/q/metrics").body();
            Prometheus metrics = Prometheus.parse(scrape);
            assertEquals(1, metrics.value("switchboard_slow_consumers_total"),
                    scrape.lines().filter(l -> l.startsWith("switchboard_")).toList().toString());
            assertEquals(1, metrics.value("switchboard_closes_total", "code", "1013"));
            // Without the bound the stalled member alone would hold the whole flood (~60 MB) in the node:
            // on the heap as pending writes, and in Netty's direct buffers as unsent frames.
            long heapAfter = heapAfterGc(node);
            assertTrue(heapAfter - heapBefore < 16L << 20, "heap grew by " + (heapAfter - heapBefore) + " bytes");
            double directInUse = metrics.value("netty_allocator_memory_pinned", "memory_type", "direct");
            // the pool pins whole runs of pages, so allow some slack; an unbounded queue would pin the ~60 MB flood
            assertTrue(directInUse < 24 << 20, "Netty holds " + directInUse + " bytes of direct memory");
            // ...and the meter does see the stalled member's queue, which is still there unsent
            assertTrue(directInUse > QUEUE_BYTES / 2, "Netty holds " + directInUse + " bytes of direct memory");

            assertEquals(1013, slow.readUntilClose());
            slow.close();
            publisher.close();
            fast.close();
        }
    }

    /**
     * A member that stopped reading still has a large backlog in Netty when the node stops: the backlog
     * is dropped with the socket, and the node's log says nothing about it. Each unsent frame used to
     * fail on its own and go through the endpoint's error handling: thousands of "internal error" lines
     * and, once Quarkus had shut down, thousands of NullPointerExceptions from context propagation.
     */
    @Test
    void aStalledReadersBacklogIsDroppedQuietlyWhenTheNodeStops() throws Exception {
        List<String> log;
        try (GatewayNode node = GatewayNode.start("backlog", Map.of(
                "switchboard.limits.outbound-queue-bytes", String.valueOf(256 << 20),
                "switchboard.limits.outbound-queue-frames", "1000000",
                "switchboard.drain.close-window", "100ms",
                "switchboard.drain.timeout", "2s"))) {
            String room = "open:backlog";
            WsClient publisher = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("pub"), 300, "user"));
            WsClient fast = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("fast"), 300, "user"));
            fast.join(room);
            RawWsClient stalled = RawWsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("stalled"), 300, "user"));
            assertEquals("welcome", new JsonObject(stalled.readText()).getString("op"));
            stalled.sendText(new JsonObject().put("op", "join").put("room", room).put("ref", "j").encode());
            assertEquals("ok", new JsonObject(stalled.readText()).getString("status"));
            // ~20 MB for a member that never reads again: more than the kernel's socket buffers hold
            int messages = 20_000;
            publishAll(publisher, room, messages);
            fast.awaitAll(f -> "message".equals(f.getString("op")), messages, Duration.ofSeconds(120));
            double backlog = Prometheus.parse(node.get("/q/metrics").body())
                    .value("netty_allocator_memory_pinned", "memory_type", "direct");
            assertTrue(backlog > 4 << 20, "the stalled member's backlog is in Netty: " + backlog + " bytes");
            publisher.close();
            fast.close();
            node.close();
            log = node.logLines();
            stalled.close();
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("stopped in")), String.join("\n", log));
        List<String> problems = log.stream()
                .filter(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("After Shutdown")).limit(5).toList();
        assertEquals(List.of(), problems, "the node logged problems; " + log.size() + " lines in all");
    }

    /**
     * Publishes {@code count} padded messages, reading the replies a window at a time, as a
     * well-behaved publisher does.
     */
    private static void publishAll(WsClient publisher, String room, int count) {
        for (int seq = 0; seq < count; seq++) {
            publisher.send(new JsonObject().put("op", "publish").put("room", room).put("ref", "p" + seq)
                    .put("data", new JsonObject().put("seq", seq).put("pad", PADDING)).encode());
            if (seq % WINDOW == WINDOW - 1) {
                publisher.awaitAll(f -> "reply".equals(f.getString("op")), WINDOW, Duration.ofSeconds(30));
            }
        }
    }

    /**
     * The heap the node retains. On the JVM: heap in use after a full GC (jcmd GC.run). A native
     * executable has no jcmd here (its attach support does not link with native-check) and nothing
     * else that forces a collection, so there it is the old generation alone: what survived young
     * collections, i.e. what the node holds on to. Garbage, however much of it the young generation
     * holds at the moment of the scrape, is not counted; the flood's allocations run it through
     * several young collections.
     */
    private static long heapAfterGc(GatewayNode node) throws IOException, InterruptedException {
        if (node.isNative()) {
            return (long) Prometheus.parse(node.get("/q/metrics").body())
                    .value("jvm_memory_used_bytes", "area", "heap", "id", "old generation space");
        }
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(node.process().pid()), "GC.run").redirectErrorStream(true).start();
        String output = new String(gc.getInputStream().readAllBytes());
        assertTrue(gc.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, gc.exitValue(), "jcmd GC.run failed: " + output);
        return (long) Prometheus.parse(node.get("/q/metrics").body()).value("jvm_memory_used_bytes", "area", "heap");
    }
}
