package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.http.HttpConnection;

/** The adapter's startup self-check, and the internal it stands for, on Netty's own channel. */
class NettyAccessTest {

    @Test
    void theSelfCheckPassesOnTheVertxAndNettyOnTheClassPath() {
        assertDoesNotThrow(() -> NettyAccess.verify());
    }

    @Test
    void theSelfCheckFailsWithAMessageNamingTheInternal() {
        // a connection that is not a ConnectionBase: the cast every upgrade needs would fail
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> NettyAccess.verify(HttpConnection.class));
        assertTrue(failure.getMessage().contains("io.vertx.core.net.impl.ConnectionBase"), failure.getMessage());
        assertTrue(failure.getMessage().startsWith("a Netty or Vert.x internal the delivery path relies on has changed"),
                failure.getMessage());
    }

    @Test
    void theBacklogCountsUnwrittenBytesAndFlushedFramesUntilTheChannelCloses() {
        EmbeddedChannel channel = new NettyAccess.StalledChannel();
        assertEquals(NettyAccess.Backlog.UNDER, NettyAccess.backlog(channel, 1, 1));
        channel.write(Unpooled.wrappedBuffer(new byte[100]));
        channel.write(Unpooled.wrappedBuffer(new byte[100]));
        // Netty counts its own overhead per frame on top of the payload
        assertEquals(NettyAccess.Backlog.OVER, NettyAccess.backlog(channel, 200, 1), "bytes, before the flush");
        assertEquals(NettyAccess.Backlog.UNDER, NettyAccess.backlog(channel, 4096, 1), "frames count once flushed");
        channel.flush();
        assertEquals(NettyAccess.Backlog.UNDER, NettyAccess.backlog(channel, 4096, 3));
        assertEquals(NettyAccess.Backlog.OVER, NettyAccess.backlog(channel, 4096, 2), "frames");
        channel.close();
        assertFalse(channel.isOpen());
        assertEquals(NettyAccess.Backlog.CLOSED, NettyAccess.backlog(channel, Long.MAX_VALUE, Integer.MAX_VALUE));
        channel.finishAndReleaseAll();
    }

    @Test
    void whatTheSocketTookIsNoLongerCounted() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.write(Unpooled.wrappedBuffer(new byte[100]));
        channel.flush();
        assertEquals(NettyAccess.Backlog.UNDER, NettyAccess.backlog(channel, 1, 1));
        channel.finishAndReleaseAll();
    }
}
