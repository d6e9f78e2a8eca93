package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.switchboard.ops.Drain;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.Disconnect;
import io.switchboard.rooms.CopyOnWrite;

/**
 * The open connections on this node by user, for commands aimed at users or tokens (disconnect,
 * revoke), and for the drain.
 */
@Startup
@ApplicationScoped
public class LocalUsers implements Drain.Connections {
    /** Each user's sessions, copy on write: most users have one or two, and a set each would cost far more. */
    private final ConcurrentHashMap<String, ClientSession[]> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    public LocalUsers(GatewayMetrics metrics) {
        metrics.gauge("switchboard.connections.open", "Open WebSocket connections on this node", open::get);
    }

    void add(ClientSession session) {
        byUser.compute(session.token().sub(), (sub, sessions) -> {
            ClientSession[] now = sessions == null ? new ClientSession[] { session } : CopyOnWrite.with(sessions, session);
            if (now != sessions) {
                open.incrementAndGet();
            }
            return now;
        });
    }

    void remove(ClientSession session) {
        byUser.computeIfPresent(session.token().sub(), (sub, sessions) -> {
            ClientSession[] now = CopyOnWrite.without(sessions, session);
            if (now != sessions) {
                open.decrementAndGet();
            }
            return now;
        });
    }

    /** The user's connections on this node, or null when it has none. */
    ClientSession[] sessions(String sub) {
        return byUser.get(sub);
    }

    @Override
    public int open() {
        return open.get();
    }

    @Override
    public List<ClientSession> all() {
        List<ClientSession> all = new ArrayList<>(open.get());
        byUser.values().forEach(sessions -> all.addAll(Arrays.asList(sessions)));
        return all;
    }

    /** Closes every connection on this node that matches. */
    void close(Predicate<ClientSession> matching, Disconnect why) {
        byUser.values().forEach(sessions -> close(sessions, matching, why));
    }

    /** Closes the user's connections on this node that match: one lookup, not a walk over every connection. */
    void close(String sub, Predicate<ClientSession> matching, Disconnect why) {
        ClientSession[] sessions = byUser.get(sub);
        if (sessions != null) {
            close(sessions, matching, why);
        }
    }

    private static void close(ClientSession[] sessions, Predicate<ClientSession> matching, Disconnect why) {
        for (ClientSession session : sessions) {
            if (matching.test(session)) {
                session.close(why);
            }
        }
    }
}
