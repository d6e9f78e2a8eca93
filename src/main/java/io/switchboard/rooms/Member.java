package io.switchboard.rooms;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/** A local connection as rooms see it: a socket on an event loop that encoded frames are written to. */
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
     * A message for this member could not be queued (its loop was too far behind): the member must be
     * told, and must not receive later messages as if nothing had been lost. Runs on {@link #loop}, in
     * the message's place among the member's writes.
     */
    void missed();
}
