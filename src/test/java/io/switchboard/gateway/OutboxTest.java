package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.switchboard.rooms.Member;

/**
 * The outbox on a real event loop: order kept, frames released, a busy loop's backlog written with
 * one flush per member, an idle loop's message sent at once.
 */
class OutboxTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final Outbox outbox = new Outbox(loop);

    /** Records what a socket would see: frames in order, and a marker for each flush. */
    private final class RecordingMember implements Member {
        final List<String> wire = new ArrayList<>();
        private boolean unflushed;

        @Override
        public EventExecutor loop() {
            return loop;
        }

        @Override
        public boolean write(ByteBuf frame) {
            assertTrue(loop.inEventLoop());
            wire.add(frame.toString(StandardCharsets.UTF_8));
            boolean first = !unflushed;
            unflushed = true;
            return first;
        }

        @Override
        public void flush() {
            unflushed = false;
            wire.add("|flush");
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void aBusyLoopSendsItsBacklogWithOneFlushPerMemberInOrder() throws Exception {
        RecordingMember a = new RecordingMember();
        RecordingMember b = new RecordingMember();
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> await(busy));
        List<ByteBuf> frames = new ArrayList<>();
        for (String text : List.of("m1", "m2", "m3")) {
            ByteBuf frame = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            frames.add(frame);
            outbox.add(frame, new Member[] { a, b });
        }
        outbox.add(frames.get(0).retain(), new Member[] { b });
        busy.countDown();
        drained();
        assertEquals(List.of("m1", "m2", "m3", "|flush"), a.wire);
        assertEquals(List.of("m1", "m2", "m3", "m1", "|flush"), b.wire);
        frames.forEach(frame -> assertEquals(0, frame.refCnt(), "the outbox let go of every frame"));
    }

    @Test
    void anIdleLoopSendsEachMessageAtOnce() throws Exception {
        RecordingMember a = new RecordingMember();
        outbox.add(Unpooled.copiedBuffer("m1", StandardCharsets.UTF_8), new Member[] { a });
        drained();
        outbox.add(Unpooled.copiedBuffer("m2", StandardCharsets.UTF_8), new Member[] { a });
        drained();
        assertEquals(List.of("m1", "|flush", "m2", "|flush"), a.wire);
    }

    @Test
    void aLongBacklogStillFlushesAsItGoes() throws Exception {
        RecordingMember a = new RecordingMember();
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> await(busy));
        for (int i = 0; i < 200; i++) {
            outbox.add(Unpooled.copiedBuffer("m" + i, StandardCharsets.UTF_8), new Member[] { a });
        }
        busy.countDown();
        drained();
        assertEquals(200, a.wire.stream().filter(w -> w.startsWith("m")).count());
        long flushes = a.wire.stream().filter("|flush"::equals).count();
        assertTrue(flushes >= 4 && flushes < 200, "bounded batches, each ending in a flush: " + flushes);
        assertEquals("|flush", a.wire.get(a.wire.size() - 1));
    }

    /**
     * Waits for the loop to run everything queued: each barrier runs after the drain queued before
     * it, and a drain re-queues itself at most once, so each barrier moves past at least one drain
     * (the longest backlog here needs four).
     */
    private void drained() throws Exception {
        for (int i = 0; i < 8; i++) {
            loop.submit(() -> {
            }).get(5, TimeUnit.SECONDS);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
