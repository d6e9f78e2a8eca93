package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.switchboard.rooms.Member;

/**
 * Room messages waiting for one event loop. Deliveries queue here and one task on the loop drains
 * them: every member's frames are written as they come and each member is flushed once at the end.
 * An idle loop drains a message as soon as it arrives, so nothing waits; when messages arrive faster
 * than the loop drains them, a member's frames leave in one socket write instead of one each, which
 * is where the kernel's cost per delivery goes down.
 */
final class Outbox implements Runnable {
    /** Messages per drain; a drain ends with its flushes, so a busy loop still sends at this pace. */
    private static final int MAX_BATCH = 64;

    private record Pending(ByteBuf frame, Member[] members) {
    }

    private final EventExecutor loop;
    private final Queue<Pending> pending = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Members written to in this drain and not flushed yet; only the loop touches it. */
    private final ArrayList<Member> unflushed = new ArrayList<>();

    Outbox(EventExecutor loop) {
        this.loop = loop;
    }

    /** Takes over the caller's reference to {@code frame}; {@code members} must all live on this loop. */
    void add(ByteBuf frame, Member[] members) {
        pending.add(new Pending(frame, members));
        schedule();
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
            for (int drained = 0; drained < MAX_BATCH && (next = pending.poll()) != null; drained++) {
                try {
                    for (Member member : next.members) {
                        if (member.write(next.frame)) {
                            unflushed.add(member);
                        }
                    }
                } finally {
                    next.frame.release();
                }
            }
        } finally {
            for (int i = 0; i < unflushed.size(); i++) {
                unflushed.get(i).flush();
            }
            unflushed.clear();
            if (!pending.isEmpty()) {
                schedule();
            }
        }
    }
}
