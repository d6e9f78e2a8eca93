package io.switchboard.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import io.netty.buffer.ByteBuf;

/** The node's per-loop {@link Outbox}es, one per event loop that owns member sockets, under one {@link LoopPressure}. */
public final class Outboxes {
    private final LoopPressure pressure;
    /** A handful: created on first use. */
    private final ConcurrentHashMap<Executor, Outbox> byLoop = new ConcurrentHashMap<>();

    /** @param loopQueueBytes bytes of room messages one loop may have waiting */
    public Outboxes(long loopQueueBytes) {
        this.pressure = new LoopPressure(loopQueueBytes);
    }

    /** The loops' back-pressure, which the endpoint applies to the clients it reads. */
    public LoopPressure pressure() {
        return pressure;
    }

    /**
     * Queues one encoded frame for members on one loop: one entry, whatever their number. Takes over
     * the caller's reference to {@code frame}; {@code members} must all live on {@code loop}.
     */
    public void add(Executor loop, ByteBuf frame, Member[] members) {
        Outbox outbox = byLoop.get(loop);
        if (outbox == null) {
            outbox = byLoop.computeIfAbsent(loop, l -> new Outbox(l, pressure));
        }
        outbox.add(frame, members);
    }

    /** Bytes waiting for all the loops now. */
    public long waiting() {
        return byLoop.values().stream().mapToLong(Outbox::waiting).sum();
    }
}
