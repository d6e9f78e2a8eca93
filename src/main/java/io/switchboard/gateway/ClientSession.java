package io.switchboard.gateway;

import java.util.HashMap;
import java.util.Map;

import org.jboss.logging.Logger;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.rooms.Member;
import io.switchboard.rooms.RoomAccess;

/**
 * One open connection: its current token, its rooms and its expiry timers.
 * <p>
 * Everything but {@link #deliver} is touched only from the connection's own event loop
 * (websockets-next runs a connection's callbacks, and the timers armed from them, there), so plain
 * fields and a HashMap suffice. {@link #deliver} is called from whichever thread fans a message out.
 */
final class ClientSession implements Member {
    private static final Logger LOG = Logger.getLogger(ClientSession.class);
    static final long NO_TIMER = -1;

    final WebSocketConnection connection;
    final ConnectionQuota.Lease lease;
    private final GatewayMetrics metrics;
    VerifiedToken token;
    /** Joined rooms with the access the current token grants in each, so publish needs no rule lookup. */
    final Map<String, RoomAccess> rooms = new HashMap<>();
    long expiringTimer = NO_TIMER;
    long expiryTimer = NO_TIMER;

    ClientSession(WebSocketConnection connection, Admission admission, GatewayMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
        this.lease = admission.lease();
        this.token = admission.token();
    }

    /** A room message; counted in bulk per message by the fan-out, not here per member. */
    @Override
    public void deliver(String frame) {
        write(frame);
    }

    /** A frame for this connection alone (welcome, reply, left, expiring). */
    void send(String frame) {
        metrics.framesOut(1);
        write(frame);
    }

    private void write(String frame) {
        connection.sendText(frame).subscribe().with(
                sent -> {
                },
                failure -> LOG.debugf("dropped a frame for closed connection %s", connection.id()));
    }

    /** Sends a last frame, then closes: the close frame is written after it, on the same socket. */
    void sendAndClose(String frame, int code, String reason) {
        metrics.framesOut(1);
        connection.sendText(frame)
                .onItemOrFailure().transformToUni((sent, failure) -> connection.close(new CloseReason(code, reason)))
                .subscribe().with(closed -> {
                }, failure -> LOG.debugf("close of %s failed: %s", connection.id(), failure));
    }

    void close(int code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(closed -> {
        }, failure -> LOG.debugf("close of %s failed: %s", connection.id(), failure));
    }
}
