package io.switchboard.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** The open connections of each user on this node, for commands aimed at a user (disconnect, revoke). */
@ApplicationScoped
public class LocalUsers {
    private final ConcurrentHashMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();

    void add(ClientSession session) {
        byUser.computeIfAbsent(session.token.sub(), sub -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void remove(ClientSession session) {
        byUser.computeIfPresent(session.token.sub(), (sub, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    /** Closes every connection of the user on this node. */
    void closeAll(String sub, int code, String reason) {
        Set<ClientSession> sessions = byUser.get(sub);
        if (sessions != null) {
            sessions.forEach(session -> session.close(code, reason));
        }
    }
}
