package io.switchboard.rooms;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;

/** A local connection as rooms see it: a socket on an event loop that encoded frames are written to. */
public interface Member {

    /** The event loop that owns the member's socket; {@link #deliver} must run on it. */
    EventExecutor loop();

    /**
     * Writes a complete WebSocket frame, encoded once and shared by every member (the member takes its
     * own reference); must not block.
     */
    void deliver(ByteBuf webSocketFrame);
}
