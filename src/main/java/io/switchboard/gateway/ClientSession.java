package io.switchboard.gateway;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.EventLoop;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.rooms.Member;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.transport.NettyAccess;

/**
 * One open connection: its current token, its rooms, its expiry timers, its inbound budget and its
 * outbound queue.
 * <p>
 * Everything but the outbound queue, the token and the closing state is touched only from the
 * connection's own event loop (websockets-next runs a connection's callbacks, and the timers armed
 * from them, there), so plain fields and a HashMap suffice.
 * <p>
 * websockets-next has no outbound back-pressure: a client that stops reading makes Netty buffer
 * everything sent to it. Room messages are written straight to the socket's Netty channel, and a
 * connection whose unwritten bytes or frames (as Netty's own outbound buffer counts them, replies
 * included) pass the bound is closed with 1013 and gets nothing more, so its cost stays bounded and
 * the room's other members never wait for it.
 */
final class ClientSession implements Member {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);
    static final long NO_TIMER = -1;

    final WebSocketConnection connection;
    final ConnectionQuota.Lease lease;
    /** The socket's Netty channel, for room messages written straight to it. */
    private final Channel channel;
    /**
     * The promise of every room-message write: none is allocated, and a write that fails is not
     * reported. Netty's own void promise fires the pipeline's exceptionCaught for each failed write, so
     * a member whose socket dies with thousands of frames unsent went through the endpoint's error
     * handling thousands of times (and, when that happened as the node stopped, logged a
     * NullPointerException from context propagation for each). The close itself is reported once,
     * through onClose.
     */
    private final ChannelPromise quietWrite;
    private final GatewayMetrics metrics;
    private final Limits limits;
    /**
     * Replaced on the connection's loop (refresh), read there and by revocation commands on the bus's
     * thread: volatile, so a revocation judges the token the connection holds now.
     */
    volatile VerifiedToken token;
    /** Joined rooms with the access the current token grants in each, so publish needs no rule lookup. */
    final Map<String, RoomAccess> rooms = new HashMap<>();
    /** Joins of history rooms the engine has not settled yet; null while there are none (the usual case). */
    private Map<String, HistoryMembership> joining;
    long expiringTimer = NO_TIMER;
    long expiryTimer = NO_TIMER;

    // inbound budget (token bucket) and abuse counters, event-loop confined
    private double frameTokens;
    private long lastRefillNanos;
    private long abuseWindowStart;
    private int rateLimitedInWindow;
    private int badFramesInWindow;

    /** Room messages written since the last flush; event-loop confined, like the flag below. */
    private boolean unflushed;
    /** Set on the event loop when the outbound bound was passed; nothing more is written after. */
    private boolean overflowed;
    /**
     * Set by whichever thread could not queue a room message for this connection (its loop was too far
     * behind); nothing more is written after, and it is closed with 1013.
     */
    private volatile boolean missed;
    /** Set once this side closes; counted then, because a stuck peer may never finish the close. */
    private final AtomicBoolean closing = new AtomicBoolean();

    /** The per-connection limits, read once from configuration. */
    record Limits(double framesPerSecond, double frameBurst, int rateLimitedBeforeClose, int badFramesBeforeClose,
            long abuseWindowNanos, long outboundBytes, int outboundFrames, int rooms) {
        static Limits of(LimitsConfig config) {
            return new Limits(config.framesPerSecond(), config.frameBurst(), config.rateLimitedBeforeClose(),
                    config.badFramesBeforeClose(), config.abuseWindow().toNanos(), config.outboundQueueBytes(),
                    config.outboundQueueFrames(), config.roomsPerConnection());
        }
    }

    ClientSession(WebSocketConnection connection, Admission admission, GatewayMetrics metrics, Limits limits) {
        this.connection = connection;
        this.metrics = metrics;
        this.limits = limits;
        this.lease = admission.lease();
        this.token = admission.token();
        this.channel = admission.channel();
        this.quietWrite = new VoidChannelPromise(channel, false);
        this.frameTokens = limits.frameBurst();
        this.lastRefillNanos = System.nanoTime();
        this.abuseWindowStart = lastRefillNanos;
    }

    /** A frame for this connection alone (welcome, reply, left, expiring). */
    void send(String frame) {
        metrics.framesOut(1);
        connection.sendText(frame).subscribe().with(
                sent -> {
                },
                this::sendFailed);
    }

    /** A debug line about this connection, with its id and user in the MDC. */
    void debug(String format, Object... params) {
        ConnectionLog.log(LOG, Logger.Level.DEBUG, null, connection, token.sub(), format, params);
    }

    /** A warning about this connection, with its id and user in the MDC. */
    void warn(String format, Object... params) {
        ConnectionLog.log(LOG, Logger.Level.WARN, null, connection, token.sub(), format, params);
    }

    /** A frame for a connection that is closing is expected to go nowhere; any other failure is not. */
    private void sendFailed(Throwable failure) {
        if (closing.get() || connection.isClosed()) {
            debug("dropped a frame for closed connection %s", connection.id());
        } else {
            warn("could not send a frame to connection %s: %s", connection.id(), failure);
            metrics.failed("send");
        }
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
     * outbound bound is closed with 1013 instead.
     * <p>
     * Writing to the channel skips Vert.x's own check, so a closing socket is checked here: once
     * either side sent its Close frame nothing more is written (RFC 6455 section 5.5.1). It is checked
     * at the first frame after each flush, which is enough: a Close frame is written on this loop, so
     * never in the middle of an outbox drain, and Vert.x marks the socket closed before it writes one.
     */
    @Override
    public boolean write(ByteBuf webSocketFrame) {
        if (overflowed || missed || !unflushed && connection.isClosed()) {
            return false;
        }
        NettyAccess.Backlog backlog = NettyAccess.backlog(channel, limits.outboundBytes(), limits.outboundFrames());
        if (backlog != NettyAccess.Backlog.UNDER) {
            if (backlog == NettyAccess.Backlog.OVER) {
                overflow();
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

    private void overflow() {
        overflowed = true;
        metrics.slowConsumer();
        close(CloseCodes.TRY_AGAIN_LATER, "too slow: outbound queue full");
    }

    @Override
    public void missed() {
        if (!missed) {
            missed = true;
            metrics.loopOverflow();
            close(CloseCodes.TRY_AGAIN_LATER, "node overloaded: a room message could not be queued");
        }
    }

    /** The socket's channel, to stop and resume reading it ({@link LoopPressure}). */
    Channel channel() {
        return channel;
    }

    /**
     * The socket closed; a close the client started is counted here, and so is a socket that went away
     * without a Close frame (1006: mobile clients do that all the time).
     */
    void closed() {
        if (closing.compareAndSet(false, true)) {
            CloseReason reason = connection.closeReason();
            // websockets-next reports a socket that went away without a Close frame as 1005, a code never
            // sent on the wire (Vert.x reads a Close frame without a code as 1000)
            metrics.closed(reason == null || reason.getCode() == CloseCodes.NO_STATUS ? CloseCodes.ABNORMAL
                    : reason.getCode());
        }
    }

    /** Sends a last frame, then closes: the close frame is written after it, on the same socket. */
    void sendAndClose(String frame, int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        metrics.closed(code);
        metrics.framesOut(1);
        connection.sendText(frame)
                .onItemOrFailure().transformToUni((sent, failure) -> connection.close(new CloseReason(code, reason)))
                .subscribe().with(closed -> {
                }, this::closeFailed);
    }

    void close(int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        metrics.closed(code);
        connection.close(new CloseReason(code, reason)).subscribe().with(closed -> {
        }, this::closeFailed);
    }

    /** Vert.x marks the socket closed before it writes the Close frame, so a close fails only when the socket is gone. */
    private void closeFailed(Throwable failure) {
        debug("close of %s failed: %s", connection.id(), failure);
    }

    /**
     * Drops the TCP connection without a closing handshake (a drain's last resort). The transport is
     * closed directly: a close through the pipeline waits for the WebSocket close frame to be written
     * first, which never happens behind the backlog of a peer that stopped reading.
     */
    void abort() {
        NettyAccess.abort(channel);
    }

    /** Takes one frame from the inbound budget; false when the client is over its rate. */
    boolean takeFrameToken(long nowNanos) {
        frameTokens = Math.min(limits.frameBurst(),
                frameTokens + (nowNanos - lastRefillNanos) * limits.framesPerSecond() / 1e9);
        lastRefillNanos = nowNanos;
        if (frameTokens >= 1) {
            frameTokens -= 1;
            return true;
        }
        return false;
    }

    /** Counts a rate-limited frame; true when that makes the abuse sustained (close 4429). */
    boolean rateLimitedTooOften(long nowNanos) {
        rollAbuseWindow(nowNanos);
        return ++rateLimitedInWindow >= limits.rateLimitedBeforeClose();
    }

    /** Counts a bad frame; true when there have been too many (close 4400). */
    boolean badFramesTooOften(long nowNanos) {
        rollAbuseWindow(nowNanos);
        return ++badFramesInWindow >= limits.badFramesBeforeClose();
    }

    void joinStarted(String room, HistoryMembership join) {
        if (joining == null) {
            joining = new HashMap<>(4);
        }
        joining.put(room, join);
    }

    /** The engine admitted or refused the join. */
    void joinSettled(String room, HistoryMembership join) {
        if (joining != null && joining.remove(room, join) && joining.isEmpty()) {
            joining = null;
        }
    }

    /** Removes and returns the room's unsettled join, if any. */
    HistoryMembership takeJoin(String room) {
        HistoryMembership join = joining == null ? null : joining.remove(room);
        if (joining != null && joining.isEmpty()) {
            joining = null;
        }
        return join;
    }

    boolean atRoomLimit() {
        return rooms.size() >= limits.rooms();
    }

    private void rollAbuseWindow(long nowNanos) {
        if (nowNanos - abuseWindowStart > limits.abuseWindowNanos()) {
            abuseWindowStart = nowNanos;
            rateLimitedInWindow = 0;
            badFramesInWindow = 0;
        }
    }
}
