package io.switchboard.gateway;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.quarkus.websockets.next.WebSocketConnection;

/**
 * Log lines about one connection carry its id and its user's {@code sub} in the MDC
 * ({@code mdc.connection} and {@code mdc.user} in the prod profile's JSON lines), so an operator
 * follows one connection or one user by field. Never the token: only what was verified from it.
 */
final class ConnectionLog {
    static final String CONNECTION = "connection";
    static final String USER = "user";

    private ConnectionLog() {
    }

    static void log(Logger log, Logger.Level level, Throwable failure, WebSocketConnection connection, String user,
            String format, Object... params) {
        if (!log.isEnabled(level)) {
            return;
        }
        MDC.put(CONNECTION, connection.id());
        if (user != null) {
            MDC.put(USER, user);
        }
        try {
            log.logf(level, failure, format, params);
        } finally {
            MDC.remove(CONNECTION);
            MDC.remove(USER);
        }
    }
}
