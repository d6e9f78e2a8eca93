package io.switchboard.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;

/**
 * The bound on room messages waiting for the event loops ({@link Outbox}), and the back-pressure
 * that keeps a publish flood under it.
 * <p>
 * While any loop has more than half the bound waiting, the node stops reading from the clients that
 * send it frames ({@link #pauseIfBehind}): their next frames wait in their sockets, so a local
 * publisher cannot outrun the loops that deliver its messages. When every loop is back under a
 * quarter of the bound, they are read again. Messages that no client can be paused for (from the
 * other nodes, from the server API) still meet the hard bound: a loop's queue never holds more, and
 * the members of a message it cannot take are closed with 1013 and written nothing more.
 */
public final class LoopPressure {
    private final long bound;
    private final long behindAbove;
    private final long caughtUpBelow;
    /** How many loops are behind; paused readers wait for zero. */
    private final AtomicInteger loopsBehind = new AtomicInteger();
    private final Queue<Channel> paused = new ConcurrentLinkedQueue<>();

    LoopPressure(long bound) {
        this.bound = bound;
        this.behindAbove = bound / 2;
        this.caughtUpBelow = bound / 4;
    }

    /** Bytes one loop may have waiting; a message that would pass it is not queued. */
    long bound() {
        return bound;
    }

    boolean behind(long waiting) {
        return waiting > behindAbove;
    }

    boolean caughtUp(long waiting) {
        return waiting < caughtUpBelow;
    }

    void loopBehind() {
        loopsBehind.incrementAndGet();
    }

    void loopCaughtUp() {
        if (loopsBehind.decrementAndGet() == 0) {
            resumeAll();
        }
    }

    public int loopsBehind() {
        return loopsBehind.get();
    }

    /**
     * After a client's frame, on its loop: while a loop is behind, stops reading that client's socket.
     * One volatile read when no loop is behind.
     */
    public void pauseIfBehind(Channel channel) {
        if (loopsBehind.get() == 0 || !channel.config().isAutoRead()) {
            return; // nothing behind, or already paused (by this or by Vert.x, which resumes it itself)
        }
        channel.config().setAutoRead(false);
        paused.add(channel);
        // the last loop may have caught up between the check and the add, and resumed before it
        if (loopsBehind.get() == 0) {
            resumeAll();
        }
    }

    private void resumeAll() {
        Channel channel;
        while ((channel = paused.poll()) != null) {
            channel.config().setAutoRead(true);
        }
    }
}
