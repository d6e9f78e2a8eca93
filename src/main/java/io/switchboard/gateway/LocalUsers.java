package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.switchboard.ops.GatewayMetrics;

/** The open connections on this node by user, for commands aimed at users or tokens (disconnect, revoke). */
@Startup
@ApplicationScoped
public class LocalUsers {
    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    public LocalUsers(GatewayMetrics metrics) {
        metrics.gauge("switchboard.connections.open", "Open WebSocket connections on this node", open::get);
    }

    void add(ClientSession session) {
        if (byUser.computeIfAbsent(session.token.sub(), sub -> ConcurrentHashMap.newKeySet()).add(session)) {
            open.incrementAndGet();
        }
    }

    void remove(ClientSession session) {
        byUser.computeIfPresent(session.token.sub(), (sub, sessions) -> {
            if (sessions.remove(session)) {
                open.decrementAndGet();
            }
            return sessions.isEmpty() ? null : sessions;
        });
    }

    int open() {
        return open.get();
    }

    /** Every open connection on this node. */
    List<ClientSession> all() {
        List<ClientSession> all = new ArrayList<>(open.get());
        byUser.values().forEach(all::addAll);
        return all;
    }

    /** Closes every connection on this node that matches. */
    void close(Predicate<ClientSession> matching, int code, String reason) {
        byUser.values().forEach(sessions -> sessions.forEach(session -> {
            if (matching.test(session)) {
                session.close(code, reason);
            }
        }));
    }
}
