package io.switchboard.gateway;

import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;

/**
 * The {@code /ws} endpoint. Every callback runs on the connection's event loop ({@code @NonBlocking}):
 * nothing here waits, so no frame ever hops to a worker thread.
 */
@WebSocket(path = UpgradeGate.PATH, endpointId = GatewayEndpoint.ID)
public class GatewayEndpoint {
    static final String ID = "switchboard";
    private static final UserData.TypedKey<ClientSession> SESSION = new UserData.TypedKey<>("switchboard.session");

    private final Dispatcher dispatcher;

    public GatewayEndpoint(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @OnOpen
    @NonBlocking
    void onOpen(WebSocketConnection connection) {
        ClientSession session = new ClientSession(connection, connection.userData().get(Admission.USER_DATA_KEY));
        connection.userData().put(SESSION, session);
        dispatcher.opened(session);
    }

    @OnTextMessage
    @NonBlocking
    void onText(String text, WebSocketConnection connection) {
        dispatcher.frame(connection.userData().get(SESSION), text);
    }

    @OnBinaryMessage
    @NonBlocking
    void onBinary(Buffer ignored, WebSocketConnection connection) {
        dispatcher.binaryFrame(connection.userData().get(SESSION));
    }

    @OnClose
    @NonBlocking
    void onClose(WebSocketConnection connection) {
        ClientSession session = connection.userData().get(SESSION);
        if (session != null) {
            dispatcher.closed(session);
        }
    }
}
