package io.switchboard.gateway;

import java.util.List;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.switchboard.cluster.Bus;
import io.switchboard.ops.DrainState;
import io.switchboard.ops.DrainConfig;
import io.switchboard.protocol.CloseCodes;
import io.vertx.core.Vertx;

/**
 * Graceful shutdown on SIGTERM, for rolling updates: readiness goes down and new upgrades get 503
 * at once; open connections are closed with 1001 spread over the close window, so their clients do
 * not all reconnect to the remaining pods in the same second; messages already accepted are handed
 * to Redis; and all of it is bounded by the drain timeout. It runs in Quarkus' pre-shutdown phase
 * ({@code quarkus.shutdown.delay-enabled}), while the HTTP server still answers: the server stops
 * only after this observer returns.
 */
@ApplicationScoped
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final long POLL_MILLIS = 50;
    /** How long aborted connections get to report their close before shutdown goes on. */
    private static final long ABORT_MILLIS = 5000;

    private final DrainState state;
    private final LocalUsers users;
    private final Bus bus;
    private final Vertx vertx;
    private final DrainConfig config;

    public Drain(DrainState state, LocalUsers users, Bus bus, Vertx vertx, DrainConfig config) {
        this.state = state;
        this.users = users;
        this.bus = bus;
        this.vertx = vertx;
        this.config = config;
    }

    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        long started = System.currentTimeMillis();
        long deadline = started + config.timeout().toMillis();
        state.begin();
        List<ClientSession> sessions = users.all();
        LOG.infof("draining: closing %d connections over %d ms", sessions.size(), config.closeWindow().toMillis());
        long window = Math.min(config.closeWindow().toMillis(), config.timeout().toMillis() / 2);
        for (int i = 0; i < sessions.size(); i++) {
            ClientSession session = sessions.get(i);
            long delay = sessions.size() == 1 ? 1 : Math.max(1, window * i / (sessions.size() - 1));
            vertx.setTimer(delay, id -> session.close(CloseCodes.GOING_AWAY, "server shutting down"));
        }
        awaitUntil(deadline, () -> users.open() == 0);
        // A peer that never completes the close (one that stopped reading has the close frame stuck
        // behind its backlog) loses its TCP connection now, while the endpoint and its contexts are
        // still up; left to Vert.x's own shutdown, its onClose and error callbacks would run after them.
        List<ClientSession> stuck = users.all();
        if (!stuck.isEmpty()) {
            stuck.forEach(ClientSession::abort);
            awaitUntil(System.currentTimeMillis() + ABORT_MILLIS, () -> users.open() == 0);
        }
        awaitUntil(deadline, () -> bus.status().heldBack() == 0);
        LOG.infof("drained in %d ms: %d connections left, %d messages not handed to Redis",
                System.currentTimeMillis() - started, users.open(), bus.status().heldBack());
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
