package io.switchboard.support;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A real WebSocket client (Vert.x) that records every frame and the close code, so tests assert
 * what a user of the gateway sees.
 */
public final class WsClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final Vertx VERTX = Vertx.vertx();
    private static final WebSocketClient CLIENT = VERTX.createWebSocketClient(new WebSocketClientOptions()
            .setMaxMessageSize(1024 * 1024).setMaxFrameSize(1024 * 1024));
    private static final AtomicInteger REFS = new AtomicInteger();

    private final WebSocket socket;
    private final MultiMap handshakeHeaders;
    private final List<JsonObject> pending = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile long closedAt;

    private WsClient(WebSocket socket) {
        this.socket = socket;
        this.handshakeHeaders = MultiMap.caseInsensitiveMultiMap();
        if (socket.headers() != null) {
            handshakeHeaders.addAll(socket.headers());
        }
        socket.textMessageHandler(text -> {
            synchronized (pending) {
                pending.add(new JsonObject(text));
                pending.notifyAll();
            }
        });
        socket.closeHandler(v -> {
            closedAt = System.currentTimeMillis();
            closed.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode());
        });
    }

    /** The answer to an upgrade: a socket, or the refusal the server sent instead. */
    public record Upgrade(WsClient client, int status, MultiMap headers, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    public static Upgrade upgrade(URI ws, Consumer<WebSocketConnectOptions> customizer) {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(ws.getHost()).setPort(ws.getPort()).setURI(ws.getRawPath()
                        + (ws.getRawQuery() == null ? "" : "?" + ws.getRawQuery()));
        customizer.accept(options);
        try {
            // Connecting from a Vert.x context makes the socket live on that context's event loop, so the
            // handlers are set in the same run as the socket opens and not even the first frame is missed.
            CompletableFuture<WsClient> opened = new CompletableFuture<>();
            VERTX.getOrCreateContext().runOnContext(v -> CLIENT.connect(options).onComplete(ar -> {
                if (ar.succeeded()) {
                    opened.complete(new WsClient(ar.result()));
                } else {
                    opened.completeExceptionally(ar.cause());
                }
            }));
            WsClient client = opened.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return new Upgrade(client, 101, client.handshakeHeaders, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpgradeRejectedException rejected) {
                Buffer body = rejected.getBody();
                return new Upgrade(null, rejected.getStatus(), rejected.getHeaders(), body == null ? "" : body.toString());
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects with the token in the Authorization header and returns once {@code welcome} arrived. */
    public static WsClient connect(URI ws, String token) {
        Upgrade upgrade = upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + token));
        if (upgrade.client() == null) {
            throw new AssertionError("upgrade refused: " + upgrade.status() + " " + upgrade.body());
        }
        JsonObject welcome = upgrade.client().next();
        if (!"welcome".equals(welcome.getString("op"))) {
            throw new AssertionError("expected welcome, got " + welcome);
        }
        return upgrade.client();
    }

    public String subprotocol() {
        return socket.subProtocol();
    }

    public void send(String text) {
        socket.writeTextMessage(text);
    }

    public void send(JsonObject frame) {
        send(frame.encode());
    }

    public void sendBinary(byte[] bytes) {
        socket.writeBinaryMessage(Buffer.buffer(bytes));
    }

    /** Sends the frame with a fresh {@code ref} and returns the reply carrying it. */
    public JsonObject request(JsonObject frame) {
        String ref = "r" + REFS.incrementAndGet();
        send(frame.copy().put("ref", ref));
        return await(f -> "reply".equals(f.getString("op")) && ref.equals(f.getString("ref")));
    }

    public JsonObject join(String room) {
        return request(new JsonObject().put("op", "join").put("room", room));
    }

    public JsonObject leave(String room) {
        return request(new JsonObject().put("op", "leave").put("room", room));
    }

    public JsonObject publish(String room, Object data) {
        return request(new JsonObject().put("op", "publish").put("room", room).put("data", data));
    }

    /** The next frame, in arrival order. */
    public JsonObject next() {
        return await(f -> true);
    }

    /** The first frame (oldest first) matching the predicate; frames before it stay for later calls. */
    public JsonObject await(Predicate<JsonObject> match) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (pending) {
            while (true) {
                for (Iterator<JsonObject> it = pending.iterator(); it.hasNext();) {
                    JsonObject frame = it.next();
                    if (match.test(frame)) {
                        it.remove();
                        return frame;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + WAIT + "; received " + pending);
                }
                try {
                    pending.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Waits until {@code count} frames match, then removes and returns them in arrival order. */
    public List<JsonObject> awaitAll(Predicate<JsonObject> match, int count, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        List<JsonObject> matching = new ArrayList<>();
        int scanned = 0;
        synchronized (pending) {
            while (true) {
                // only this thread removes frames, so what was scanned stays scanned
                for (; scanned < pending.size() && matching.size() < count; scanned++) {
                    if (match.test(pending.get(scanned))) {
                        matching.add(pending.get(scanned));
                    }
                }
                if (matching.size() >= count) {
                    Set<JsonObject> taken = Collections.newSetFromMap(new IdentityHashMap<>());
                    taken.addAll(matching);
                    pending.removeIf(taken::contains);
                    return matching;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + matching.size() + " of " + count + " matching frames within " + within);
                }
                try {
                    pending.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    public JsonObject awaitOp(String op) {
        return await(f -> op.equals(f.getString("op")));
    }

    /** Every frame received and not yet consumed. */
    public List<JsonObject> received() {
        synchronized (pending) {
            return List.copyOf(pending);
        }
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose() {
        return awaitClose(WAIT);
    }

    public int awaitClose(Duration within) {
        try {
            return closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("socket not closed within " + within, e);
        }
    }

    /** When the socket closed (epoch ms), once it has. */
    public long closedAt() {
        return closedAt;
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.close();
        }
    }
}
