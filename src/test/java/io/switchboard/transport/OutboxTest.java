package io.switchboard.transport;

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
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;

/**
 * The outbox on a real event loop: order kept, frames released, a busy loop's backlog written with
 * one flush per member, an idle loop's message sent at once.
 */
class OutboxTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final LoopPressure pressure = new LoopPressure(1 << 20);
    private final Outbox outbox = new Outbox(loop, pressure);

    /** Records what a socket would see: frames in order, and a marker for each flush. */
    private class RecordingMember implements Member {
        final List<String> wire = new ArrayList<>();
        int missed;
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

        @Override
        public void missed() {
            synchronized (wire) {
                missed++;
            }
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
        CountDownLatch busy = busyLoop();
        List<ByteBuf> frames = add(outbox, List.of("m1", "m2", "m3"), a, b);
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
        CountDownLatch busy = busyLoop();
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

    @Test
    void aMessageOverTheLoopsBoundIsNotQueuedAndItsMembersAreToldAtOnce() throws Exception {
        Outbox small = new Outbox(loop, new LoopPressure(5));
        RecordingMember a = new RecordingMember();
        RecordingMember b = new RecordingMember();
        Member[] both = { a, b };
        CountDownLatch busy = busyLoop();
        List<ByteBuf> frames = add(small, List.of("m1", "m2", "m3"), both);
        assertEquals(4, small.waiting(), "the third message would pass the bound of 5 bytes");
        assertEquals(1, a.missed, "told at once, before anything later could reach them");
        assertEquals(1, b.missed);
        frames.addAll(add(small, List.of("m4"), both));
        assertEquals(1, a.missed, "the same members are not told again for each message of a flood");
        busy.countDown();
        drained();
        assertEquals(List.of("m1", "m2", "|flush"), a.wire, "what was queued before is still written (the member drops it)");
        frames.forEach(frame -> assertEquals(0, frame.refCnt(), "the outbox let go of every frame"));
        assertEquals(0, small.waiting());
    }

    /**
     * A loop left with more than half its bound waiting after a drain counts as behind: readers are
     * paused until it is under a quarter again, then resumed.
     */
    @Test
    void aLoopBehindPausesReadersUntilItCatchesUp() throws Exception {
        EmbeddedChannel reader = new EmbeddedChannel();
        List<Integer> behindSeen = new ArrayList<>();
        RecordingMember a = new RecordingMember() {
            @Override
            public boolean write(ByteBuf frame) {
                if (wire.size() == 40) {
                    // in the second drain: the first ended with 68 of 100 frames (544 KiB) waiting
                    behindSeen.add(pressure.loopsBehind());
                    pressure.pauseIfBehind(reader);
                    behindSeen.add(reader.config().isAutoRead() ? 1 : 0);
                }
                return super.write(frame);
            }
        };
        CountDownLatch busy = busyLoop();
        for (int i = 0; i < 100; i++) {
            outbox.add(Unpooled.buffer(8192).writeZero(8192), new Member[] { a });
        }
        busy.countDown();
        drained();
        assertEquals(List.of(1, 0), behindSeen, "behind after the first drain, and the reader paused");
        assertEquals(0, pressure.loopsBehind());
        assertTrue(reader.config().isAutoRead(), "resumed once the loop caught up");
        reader.finishAndReleaseAll();
    }

    /** Keeps the loop busy until the latch is counted down, so what is added meanwhile waits. */
    private CountDownLatch busyLoop() {
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> await(busy));
        return busy;
    }

    private static List<ByteBuf> add(Outbox to, List<String> texts, Member... members) {
        List<ByteBuf> frames = new ArrayList<>();
        for (String text : texts) {
            ByteBuf frame = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            frames.add(frame);
            to.add(frame, members);
        }
        return frames;
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
