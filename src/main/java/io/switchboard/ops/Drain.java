package io.switchboard.ops;

import java.util.List;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.switchboard.cluster.Bus;
import io.switchboard.protocol.Disconnect;
import io.vertx.core.Vertx;

/**
 * Graceful shutdown on SIGTERM, for rolling updates, all of it here: readiness goes down and new
 * upgrades get 503 at once ({@link #draining}); open connections are closed with 1001 spread over the
 * close window, so their clients do not all reconnect to the remaining pods in the same second, and
 * one that opens meanwhile is closed as it opens ({@link #opened}); messages already accepted are
 * handed to Redis; and all of it is bounded by the drain timeout. It runs in Quarkus' pre-shutdown
 * phase ({@code quarkus.shutdown.delay-enabled}), while the HTTP server still answers: the server
 * stops only after this observer returns.
 */
@ApplicationScoped
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final long POLL_MILLIS = 50;
    /** How long aborted connections get to report their close before shutdown goes on. */
    private static final long ABORT_MILLIS = 5000;

    /** An open connection, as the drain closes it. */
    public interface Connection {
        /** Closes with the closing handshake; from any thread. */
        void close(Disconnect why);

        /** Drops the TCP connection without a closing handshake; from any thread. */
        void abort();
    }

    /** The node's open connections. */
    public interface Connections {
        int open();

        /** Every connection open now (a snapshot). */
        List<? extends Connection> all();
    }

    private final Connections connections;
    private final Bus bus;
    private final Vertx vertx;
    private final DrainConfig config;
    private volatile boolean draining;

    public Drain(Connections connections, Bus bus, Vertx vertx, DrainConfig config) {
        this.connections = connections;
        this.bus = bus;
        this.vertx = vertx;
        this.config = config;
    }

    /** Whether this node is draining for shutdown: not ready, and refusing new connections. */
    public boolean draining() {
        return draining;
    }

    /**
     * A connection that opened: one admitted before the drain began but opened after it took its list
     * of connections is closed here. The connection must be listed before this call; the drain begins
     * before it lists, so each connection is either in the drain's list or closed here.
     */
    public void opened(Connection connection) {
        if (draining) {
            connection.close(Disconnect.SHUTTING_DOWN);
        }
    }

    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        long started = System.currentTimeMillis();
        long deadline = started + config.timeout().toMillis();
        draining = true;
        List<? extends Connection> open = connections.all();
        LOG.infof("draining: closing %d connections over %d ms", open.size(), config.closeWindow().toMillis());
        long window = Math.min(config.closeWindow().toMillis(), config.timeout().toMillis() / 2);
        for (int i = 0; i < open.size(); i++) {
            Connection connection = open.get(i);
            long delay = open.size() == 1 ? 1 : Math.max(1, window * i / (open.size() - 1));
            vertx.setTimer(delay, id -> connection.close(Disconnect.SHUTTING_DOWN));
        }
        awaitUntil(deadline, () -> connections.open() == 0);
        // A peer that never completes the close (one that stopped reading has the close frame stuck
        // behind its backlog) loses its TCP connection now, while the endpoint and its contexts are
        // still up; left to Vert.x's own shutdown, its onClose and error callbacks would run after them.
        List<? extends Connection> stuck = connections.all();
        if (!stuck.isEmpty()) {
            stuck.forEach(Connection::abort);
            awaitUntil(System.currentTimeMillis() + ABORT_MILLIS, () -> connections.open() == 0);
        }
        awaitUntil(deadline, () -> bus.status().heldBack() == 0);
        LOG.infof("drained in %d ms: %d connections left, %d messages not handed to Redis",
                System.currentTimeMillis() - started, connections.open(), bus.status().heldBack());
    }

    /** Runs on the shutdown thread, never an event loop, so it may wait. */
    private static void awaitUntil(long deadline, BooleanSupplier done) {
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
