package io.switchboard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/** A local connection as the outboxes see it: a socket on an event loop that encoded frames are written to. */
public interface Member {

    /** The event loop that owns the member's socket; {@link #write} and {@link #flush} must run on it. */
    EventExecutor loop();

    /**
     * Queues a complete WebSocket frame, encoded once and shared by every member (the member takes its
     * own reference), without sending it yet; must not block.
     *
     * @return true when this is the first frame queued since the member's last {@link #flush}: the
     *         caller flushes each such member once, after its whole batch
     */
    boolean write(ByteBuf webSocketFrame);

    /** Sends everything {@link #write} queued. */
    void flush();

    /**
     * A message for this member could not be queued (its loop was too far behind): from now on
     * {@link #write} takes nothing more, and the member is told. Called from any thread, and again
     * for each message it misses; must not block.
     */
    void missed();
}
