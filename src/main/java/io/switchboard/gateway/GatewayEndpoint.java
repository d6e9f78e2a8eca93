package io.switchboard.gateway;

import org.jboss.logging.Logger;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.switchboard.ops.Drain;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.Disconnect;
import io.switchboard.transport.LoopPressure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;

/**
 * The {@code /ws} endpoint. Every callback runs on the connection's event loop ({@code @NonBlocking}):
 * nothing here waits, so no frame ever hops to a worker thread.
 */
@WebSocket(path = UpgradeGate.PATH, endpointId = GatewayEndpoint.ID)
public class GatewayEndpoint {
    static final String ID = "switchboard";
    private static final Logger LOG = Logger.getLogger(GatewayEndpoint.class);
    private static final String VERTX_OVERSIZE_MESSAGE = "to overflow max message size";
    private static final UserData.TypedKey<ClientSession> SESSION = new UserData.TypedKey<>("switchboard.session");

    private final Dispatcher dispatcher;
    private final GatewayMetrics metrics;
    private final ClientSession.Limits limits;
    private final LoopPressure pressure;
    private final Drain drain;
    private final Vertx vertx;

    public GatewayEndpoint(Dispatcher dispatcher, GatewayMetrics metrics, LimitsConfig limits, Fanout fanout,
            Drain drain, Vertx vertx) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.limits = ClientSession.Limits.of(limits);
        this.pressure = fanout.pressure();
        this.drain = drain;
        this.vertx = vertx;
    }

    @OnOpen
    @NonBlocking
    void onOpen(WebSocketConnection connection) {
        ClientSession session = new ClientSession(connection, connection.userData().get(Admission.USER_DATA_KEY), metrics,
                limits, vertx);
        connection.userData().put(SESSION, session);
        session.debug("connection %s opened", connection.id());
        dispatcher.opened(session); // lists the session, as the drain needs before it is told
        drain.opened(session);
    }

    @OnTextMessage
    @NonBlocking
    void onText(String text, WebSocketConnection connection) {
        ClientSession session = connection.userData().get(SESSION);
        dispatcher.frame(session, text);
        pressure.pauseIfBehind(session.member().channel());
    }

    @OnBinaryMessage
    @NonBlocking
    void onBinary(Buffer ignored, WebSocketConnection connection) {
        ClientSession session = connection.userData().get(SESSION);
        dispatcher.binaryFrame(session);
        pressure.pauseIfBehind(session.member().channel());
    }

    /**
     * Vert.x drops a text message over {@code max-message-size} and reports it as this exception,
     * leaving the socket open; websockets-next would then close with 1011. The protocol says 1009.
     */
    @OnError
    @NonBlocking
    void onIllegalState(IllegalStateException failure, WebSocketConnection connection) {
        if (failure.getMessage() != null && failure.getMessage().contains(VERTX_OVERSIZE_MESSAGE)) {
            closeQuietly(connection, Disconnect.TOO_BIG);
        } else {
            onFailure(failure, connection);
        }
    }

    /** A frame over the transport bound: Vert.x has already dropped the TCP connection. */
    @OnError
    @NonBlocking
    void onCorruptFrame(CorruptedWebSocketFrameException failure, WebSocketConnection connection) {
        log(Logger.Level.DEBUG, null, connection, "connection %s cut off: %s", connection.id(), failure.getMessage());
    }

    /**
     * The socket went away before the close handshake ended. Mobile clients do that all the time, so it
     * is normal traffic, not an internal error; the close is counted (1006) when it is handled.
     */
    @OnError
    @NonBlocking
    void onDropped(HttpClosedException failure, WebSocketConnection connection) {
        log(Logger.Level.DEBUG, null, connection, "connection %s ended without a close handshake", connection.id());
    }

    @OnError
    @NonBlocking
    void onFailure(Throwable failure, WebSocketConnection connection) {
        log(Logger.Level.ERROR, failure, connection, "internal error on connection %s", connection.id());
        closeQuietly(connection, Disconnect.INTERNAL);
    }

    private static void log(Logger.Level level, Throwable failure, WebSocketConnection connection, String format,
            Object... params) {
        ClientSession session = connection.userData().get(SESSION);
        ConnectionLog.log(LOG, level, failure, connection, session == null ? null : session.token().sub(), format, params);
    }

    private static void closeQuietly(WebSocketConnection connection, Disconnect why) {
        ClientSession session = connection.userData().get(SESSION);
        if (session != null) {
            session.close(why);
        } else if (!connection.isClosed()) {
            connection.close(ClientSession.closeReason(why)).subscribe().with(closed -> {
            }, failure -> log(Logger.Level.DEBUG, null, connection, "close of %s failed: %s", connection.id(), failure));
        }
    }

    @OnClose
    @NonBlocking
    void onClose(WebSocketConnection connection) {
        ClientSession session = connection.userData().get(SESSION);
        if (session != null) {
            session.closed();
            CloseReason reason = connection.closeReason();
            session.debug("connection %s closed: %s", connection.id(), reason == null ? null : reason.getCode());
            dispatcher.closed(session);
        }
    }
}
