package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.netty.channel.EventLoop;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.ops.Drain;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.Disconnect;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.transport.ChannelMember;
import io.vertx.core.Vertx;

/**
 * One open connection's session: its current token, its rooms, its unsettled history joins, its
 * expiry timers, its inbound budget and its closing state. Room messages go to its socket through
 * its {@link ChannelMember}, the outbound half, which tells the session when it is cut off.
 * <p>
 * Threads: the token is replaced on the connection's loop (refresh) and read there and by
 * revocation commands on the bus's thread, so it is volatile; the closing state is set by whichever
 * thread closes first (a revocation, the drain, the loop), so it is atomic. Everything else here is
 * touched only from the connection's own event loop: websockets-next runs a connection's callbacks
 * there, the expiry timers are armed from them (so they fire there), and the engine's answers to a
 * join come back through {@link #loop()}. So plain fields and HashMaps suffice.
 */
final class ClientSession implements ChannelMember.Owner, Drain.Connection {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);
    private static final long NO_TIMER = -1;

    private final WebSocketConnection connection;
    private final ConnectionQuota.Lease lease;
    private final ChannelMember member;
    private final GatewayMetrics metrics;
    private final Limits limits;
    private final Vertx vertx;
    /** See the class comment: replaced on the loop, read across threads. */
    private volatile VerifiedToken token;
    /** Joined rooms with the access the current token grants in each, so publish needs no rule lookup. */
    private final Map<String, RoomAccess> rooms = new HashMap<>();
    /** Joins of history rooms the engine has not settled yet; null while there are none (the usual case). */
    private Map<String, HistoryMembership> joining;
    private long expiringTimer = NO_TIMER;
    private long expiryTimer = NO_TIMER;

    // inbound budget (token bucket) and abuse counters
    private double frameTokens;
    private long lastRefillNanos;
    private long abuseWindowStart;
    private int rateLimitedInWindow;
    private int badFramesInWindow;

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

    ClientSession(WebSocketConnection connection, Admission admission, GatewayMetrics metrics, Limits limits,
            Vertx vertx) {
        this.connection = connection;
        this.metrics = metrics;
        this.limits = limits;
        this.vertx = vertx;
        this.lease = admission.lease();
        this.token = admission.token();
        this.member = new ChannelMember(admission.channel(), limits.outboundBytes(), limits.outboundFrames(), this);
        this.frameTokens = limits.frameBurst();
        this.lastRefillNanos = System.nanoTime();
        this.abuseWindowStart = lastRefillNanos;
    }

    String id() {
        return connection.id();
    }

    VerifiedToken token() {
        return token;
    }

    /** A refresh: the fresh token is the one the connection holds from now on. */
    void replaceToken(VerifiedToken fresh) {
        token = fresh;
    }

    /** The connection's outbound half, which rooms and the outboxes hold. */
    ChannelMember member() {
        return member;
    }

    /** The event loop that owns the connection. */
    EventLoop loop() {
        return member.loop();
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
    public boolean socketClosed() {
        return connection.isClosed();
    }

    @Override
    public void tooSlow() {
        metrics.slowConsumer();
        close(Disconnect.SLOW_CONSUMER);
    }

    @Override
    public void overloaded() {
        metrics.loopOverflow();
        close(Disconnect.NODE_OVERLOADED);
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

    /** Gives the connection's quota slot back. */
    void releaseSlot() {
        lease.release();
    }

    /** Sends a last frame, then closes: the close frame is written after it, on the same socket. */
    void sendAndClose(String frame, Disconnect why) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        metrics.closed(why.code());
        metrics.framesOut(1);
        connection.sendText(frame)
                .onItemOrFailure().transformToUni((sent, failure) -> connection.close(closeReason(why)))
                .subscribe().with(closed -> {
                }, this::closeFailed);
    }

    @Override
    public void close(Disconnect why) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        metrics.closed(why.code());
        connection.close(closeReason(why)).subscribe().with(closed -> {
        }, this::closeFailed);
    }

    static CloseReason closeReason(Disconnect why) {
        return new CloseReason(why.code(), why.reason());
    }

    /** Vert.x marks the socket closed before it writes the Close frame, so a close fails only when the socket is gone. */
    private void closeFailed(Throwable failure) {
        debug("close of %s failed: %s", connection.id(), failure);
    }

    @Override
    public void abort() {
        member.abort();
    }

    // the rooms

    boolean inRoom(String room) {
        return rooms.containsKey(room);
    }

    /** The access the current token grants in a joined room, or null when the connection is not in it. */
    RoomAccess access(String room) {
        return rooms.get(room);
    }

    void addRoom(String room, RoomAccess access) {
        rooms.put(room, access);
    }

    /** @return whether the connection was in the room */
    boolean removeRoom(String room) {
        return rooms.remove(room) != null;
    }

    /** @return whether the connection was in the room with that access (a leave or close since then wins) */
    boolean removeRoom(String room, RoomAccess access) {
        return rooms.remove(room, access);
    }

    boolean atRoomLimit() {
        return rooms.size() >= limits.rooms();
    }

    /** Empties the room table; returns the rooms the connection was in. */
    List<String> removeAllRooms() {
        List<String> all = new ArrayList<>(rooms.keySet());
        rooms.clear();
        return all;
    }

    /**
     * Re-checks every joined room with {@code accessOf} (after a refresh): keeps the new access where
     * it allows the join, drops the room where it does not.
     *
     * @return the rooms dropped
     */
    List<String> reevaluateRooms(Function<String, RoomAccess> accessOf) {
        List<String> lost = new ArrayList<>();
        for (Iterator<Map.Entry<String, RoomAccess>> it = rooms.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, RoomAccess> entry = it.next();
            RoomAccess access = accessOf.apply(entry.getKey());
            if (access.join()) {
                entry.setValue(access);
            } else {
                it.remove();
                lost.add(entry.getKey());
            }
        }
        return lost;
    }

    // history joins the engine has not settled

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

    // token expiry

    /**
     * Arms the {@code expiring} notice, {@code noticeMillis} before the current token's {@code exp},
     * and the 4401 close at {@code exp} + {@code skewMillis}, replacing the timers of an earlier token.
     * On the connection's loop, so the timers fire there.
     */
    void armExpiry(long nowMillis, long noticeMillis, long skewMillis) {
        cancelExpiry();
        long exp = token.expMillis();
        long expSeconds = token.expSeconds();
        expiringTimer = vertx.setTimer(Math.max(1, exp - noticeMillis - nowMillis), id -> {
            expiringTimer = NO_TIMER;
            send(ServerFrames.expiring(expSeconds));
        });
        expiryTimer = vertx.setTimer(Math.max(1, exp + skewMillis - nowMillis), id -> {
            expiryTimer = NO_TIMER;
            close(Disconnect.TOKEN_EXPIRED);
        });
    }

    void cancelExpiry() {
        if (expiringTimer != NO_TIMER) {
            vertx.cancelTimer(expiringTimer);
            expiringTimer = NO_TIMER;
        }
        if (expiryTimer != NO_TIMER) {
            vertx.cancelTimer(expiryTimer);
            expiryTimer = NO_TIMER;
        }
    }

    // the inbound budget

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

    private void rollAbuseWindow(long nowNanos) {
        if (nowNanos - abuseWindowStart > limits.abuseWindowNanos()) {
            abuseWindowStart = nowNanos;
            rateLimitedInWindow = 0;
            badFramesInWindow = 0;
        }
    }
}
