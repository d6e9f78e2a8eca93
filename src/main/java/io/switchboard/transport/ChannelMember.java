package io.switchboard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;

/**
 * The outbound half of a connection: room messages written straight to its socket's Netty channel,
 * within a per-connection bound.
 * <p>
 * websockets-next has no outbound back-pressure: a client that stops reading makes Netty buffer
 * everything sent to it. A member whose unwritten bytes or frames (as Netty's own outbound buffer
 * counts them, replies included) pass the bound gets nothing more and its owner is told, to close it
 * with 1013, so its cost stays bounded and the room's other members never wait for it.
 */
public final class ChannelMember implements Member {

    /** The connection a member writes for: it judges whether the socket is closing, and closes it. */
    public interface Owner {
        /** Whether either side has sent its Close frame; nothing is written after it (RFC 6455 section 5.5.1). */
        boolean socketClosed();

        /** The outbound bound was passed; called once, on the member's loop. */
        void tooSlow();

        /** A room message could not be queued for the member; called once, from any thread. */
        void overloaded();
    }

    /** The socket's Netty channel, for room messages written straight to it. */
    private final Channel channel;
    /**
     * The promise of every room-message write: none is allocated, and a write that fails is not
     * reported. Netty's own void promise fires the pipeline's exceptionCaught for each failed write, so
     * a member whose socket dies with thousands of frames unsent went through the endpoint's error
     * handling thousands of times (and, when that happened as the node stopped, logged a
     * NullPointerException from context propagation for each). The close itself is reported once,
     * through the endpoint's close callback.
     */
    private final ChannelPromise quietWrite;
    private final long maxBytes;
    private final int maxFrames;
    private final Owner owner;
    /** Room messages written since the last flush; event-loop confined, like the flag below. */
    private boolean unflushed;
    /** Set on the event loop when the outbound bound was passed; nothing more is written after. */
    private boolean overflowed;
    /**
     * Set by whichever thread could not queue a room message for this member (its loop was too far
     * behind); nothing more is written after.
     */
    private volatile boolean missed;

    /**
     * @param maxBytes unwritten bytes that cut the member off
     * @param maxFrames unwritten frames that cut the member off
     */
    public ChannelMember(Channel channel, long maxBytes, int maxFrames, Owner owner) {
        this.channel = channel;
        this.quietWrite = new VoidChannelPromise(channel, false);
        this.maxBytes = maxBytes;
        this.maxFrames = maxFrames;
        this.owner = owner;
    }

    @Override
    public EventLoop loop() {
        return channel.eventLoop();
    }

    /**
     * Queues an already encoded WebSocket frame on the channel: the bytes are shared by every member
     * (a retained duplicate, no copy), and Netty's frame encoder lets a ready {@code ByteBuf} through
     * untouched, so nothing is encoded per member. Handlers nearer the socket still see the write
     * (the idle timer counts it). A room message is counted in bulk by the fan-out. A member past its
     * outbound bound is cut off instead.
     * <p>
     * Writing to the channel skips Vert.x's own check, so a closing socket is checked here: once
     * either side sent its Close frame nothing more is written (RFC 6455 section 5.5.1). It is checked
     * at the first frame after each flush, which is enough: a Close frame is written on this loop, so
     * never in the middle of an outbox drain, and Vert.x marks the socket closed before it writes one.
     */
    @Override
    public boolean write(ByteBuf webSocketFrame) {
        if (overflowed || missed || !unflushed && owner.socketClosed()) {
            return false;
        }
        NettyAccess.Backlog backlog = NettyAccess.backlog(channel, maxBytes, maxFrames);
        if (backlog != NettyAccess.Backlog.UNDER) {
            if (backlog == NettyAccess.Backlog.OVER) {
                overflowed = true;
                owner.tooSlow();
            }
            return false;
        }
        channel.write(webSocketFrame.retainedDuplicate(), quietWrite);
        if (unflushed) {
            return false;
        }
        unflushed = true;
        return true;
    }

    @Override
    public void flush() {
        unflushed = false;
        channel.flush();
    }

    @Override
    public void missed() {
        if (!missed) {
            missed = true;
            owner.overloaded();
        }
    }

    /** The socket's channel, to stop and resume reading it ({@link LoopPressure}). */
    public Channel channel() {
        return channel;
    }

    /**
     * Drops the TCP connection without a closing handshake (a drain's last resort), from any thread.
     * The close starts at the pipeline's first handler, so it reaches only the transport: a close
     * through the whole pipeline waits for the WebSocket close frame to be written first, which never
     * happens behind the backlog of a peer that stopped reading.
     */
    public void abort() {
        channel.eventLoop().execute(() -> {
            ChannelHandlerContext first = channel.pipeline().firstContext();
            if (first != null) {
                first.close();
            } else {
                channel.close(); // no handler: the pipeline's close is the transport's
            }
        });
    }
}
