package io.switchboard.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Every Netty and Vert.x internal the delivery path relies on, in one place, checked once at startup
 * ({@link #verify}, before the upgrade route is installed): a Vert.x or Netty upgrade that moves one
 * of them stops the node as it starts, with a message naming it, instead of failing every upgrade or
 * every write.
 * <ul>
 * <li>{@link #channel}: the socket's Netty channel, which room messages are written to directly. Vert.x
 * has no public way to reach it; its HTTP/1.x connection is a {@link ConnectionBase}, and a WebSocket
 * upgrade is always HTTP/1.1.</li>
 * <li>{@link #backlog}: the per-connection bound, in bytes and in frames, read from the channel's
 * outbound buffer (reached through {@code Channel.unsafe()}). Netty's public writability
 * ({@code isWritable()}, {@code bytesBeforeUnwritable()} with a write-buffer water mark) reads the
 * same byte count but no frame count, so it cannot keep the frame bound
 * ({@code limits.outbound-queue-frames}); and a water mark set on the channel would also change when
 * Vert.x itself sees the socket as full, and stay unwritable until the low mark, unlike this bound.</li>
 * </ul>
 */
public final class NettyAccess {
    private static final String PREFIX = "a Netty or Vert.x internal the delivery path relies on has changed: ";

    /** What a connection's unwritten backlog is against its bound. */
    public enum Backlog {
        UNDER, OVER, CLOSED
    }

    private NettyAccess() {
    }

    /** The Netty channel of an HTTP/1.1 connection (the one every WebSocket upgrade arrives on). */
    public static Channel channel(HttpConnection connection) {
        return ((ConnectionBase) connection).channel();
    }

    /**
     * Whether what waits in the channel for the socket (replies included) has reached a bound: its
     * bytes, flushed or not, with Netty's own overhead per frame, or its frames flushed and not yet
     * handed to the socket. Must run on the channel's event loop.
     */
    public static Backlog backlog(Channel channel, long maxBytes, int maxFrames) {
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (pending == null) {
            return Backlog.CLOSED;
        }
        return pending.totalPendingWriteBytes() >= maxBytes || pending.size() >= maxFrames ? Backlog.OVER : Backlog.UNDER;
    }

    /**
     * Checks every internal above against the Vert.x and Netty on the class path.
     *
     * @throws IllegalStateException naming the internal that is missing or behaves otherwise
     */
    public static void verify() {
        Class<?> http1Connection;
        try {
            http1Connection = Http1xServerConnection.class;
        } catch (LinkageError e) {
            throw new IllegalStateException(PREFIX + e, e);
        }
        verify(http1Connection);
    }

    /** @param http1Connection the class of the connection a WebSocket upgrade arrives on */
    static void verify(Class<?> http1Connection) {
        if (!ConnectionBase.class.isAssignableFrom(http1Connection)) {
            throw new IllegalStateException(PREFIX + http1Connection.getName() + " is not a "
                    + ConnectionBase.class.getName() + ": the Netty channel of an upgraded socket cannot be reached");
        }
        String problem;
        try {
            problem = probeOutboundBuffer();
        } catch (LinkageError | RuntimeException e) {
            problem = "Channel.unsafe() failed: " + e;
        }
        if (problem != null) {
            throw new IllegalStateException(PREFIX + problem);
        }
    }

    /** @return what does not hold on a channel of Netty's own, or null when all does */
    private static String probeOutboundBuffer() {
        EmbeddedChannel probe = new StalledChannel();
        try {
            if (backlog(probe, 1, 1) != Backlog.UNDER) {
                return "Channel.unsafe().outboundBuffer() counts a backlog on a new channel";
            }
            probe.write(Unpooled.wrappedBuffer(new byte[1000]));
            // the byte count includes Netty's own overhead per frame, so only a lower bound is certain
            if (backlog(probe, 1000, Integer.MAX_VALUE) != Backlog.OVER
                    || backlog(probe, Long.MAX_VALUE, 1) != Backlog.UNDER) {
                return "Channel.unsafe().outboundBuffer() does not count the unwritten bytes";
            }
            probe.flush();
            if (backlog(probe, Long.MAX_VALUE, 1) != Backlog.OVER || backlog(probe, Long.MAX_VALUE, 2) != Backlog.UNDER) {
                return "Channel.unsafe().outboundBuffer() does not count the flushed frames";
            }
            probe.close();
            if (backlog(probe, 1, 1) != Backlog.CLOSED) {
                return "Channel.unsafe().outboundBuffer() does not tell a closed channel";
            }
            return null;
        } finally {
            probe.finishAndReleaseAll();
        }
    }

    /** A channel whose socket takes nothing: what is flushed stays in its outbound buffer. */
    static final class StalledChannel extends EmbeddedChannel {
        @Override
        protected void doWrite(ChannelOutboundBuffer in) {
            // the peer does not read
        }
    }
}
