package io.switchboard.transport;

import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;

/**
 * Room messages waiting for one event loop. Deliveries queue here and one task on the loop drains
 * them: every member's frames are written as they come and each member is flushed once at the end.
 * An idle loop drains a message as soon as it arrives, so nothing waits; when messages arrive faster
 * than the loop drains them, a member's frames leave in one socket write instead of one each, which
 * is where the kernel's cost per delivery goes down.
 * <p>
 * What waits is bounded in bytes ({@link LoopPressure}): a message that would take the queue past
 * the bound is not queued, and its members on this loop are cut off (1013) at once, so none of them
 * receives a later message as if nothing had been lost.
 */
final class Outbox implements Runnable {
    /** Messages per drain; a drain ends with its flushes, so a busy loop still sends at this pace. */
    private static final int MAX_BATCH = 64;
    /**
     * Bytes per drain: what a member is written in one drain waits unflushed in its channel and counts
     * against its outbound bound, so a drain of large messages stops well short of that bound.
     */
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private record Pending(ByteBuf frame, Member[] members) {
    }

    private final Executor loop;
    private final LoopPressure pressure;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Bytes of the frames queued here (a frame shared with other loops counts in each). */
    private final AtomicLong waiting = new AtomicLong();
    /**
     * Whether this loop counts as behind in {@link LoopPressure}: set by the producer that takes it
     * over half the bound, so readers are paused from their next frame on, and cleared by a drain.
     */
    private final AtomicBoolean behind = new AtomicBoolean();
    /** The members last cut off, so a flood to one room cuts them once, not once per message; a hint only. */
    private volatile Member[] lastCut;
    /** Members written to in this drain and not flushed yet; only the loop touches it. */
    private final ArrayList<Member> unflushed = new ArrayList<>();

    Outbox(Executor loop, LoopPressure pressure) {
        this.loop = loop;
        this.pressure = pressure;
    }

    /** Takes over the caller's reference to {@code frame}; {@code members} must all live on this loop. */
    void add(ByteBuf frame, Member[] members) {
        int size = frame.readableBytes();
        if (waiting.addAndGet(size) > pressure.bound()) {
            waiting.addAndGet(-size);
            frame.release();
            if (lastCut != members) {
                lastCut = members;
                for (Member member : members) {
                    member.missed();
                }
            }
            return;
        }
        pending.add(new Pending(frame, members));
        if (pressure.behind(waiting.get()) && !behind.get() && behind.compareAndSet(false, true)) {
            pressure.loopBehind();
        }
        // after the flag: the drain this guarantees judges it again when it ends
        schedule();
    }

    /** Bytes waiting here now. */
    long waiting() {
        return waiting.get();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        try {
            Pending next;
            long bytes = 0;
            for (int drained = 0; drained < MAX_BATCH && bytes < MAX_BATCH_BYTES && (next = pending.poll()) != null;
                    drained++) {
                int size = next.frame.readableBytes();
                bytes += size;
                try {
                    for (Member member : next.members) {
                        if (member.write(next.frame)) {
                            unflushed.add(member);
                        }
                    }
                } finally {
                    next.frame.release();
                    waiting.addAndGet(-size);
                }
            }
        } finally {
            for (int i = 0; i < unflushed.size(); i++) {
                unflushed.get(i).flush();
            }
            unflushed.clear();
            // Judged after each drain, which every add is followed by: a loop never stays behind idle.
            if (behind.get() && pressure.caughtUp(waiting.get()) && behind.compareAndSet(true, false)) {
                pressure.loopCaughtUp();
            }
            if (!pending.isEmpty()) {
                schedule();
            }
        }
    }
}
