package io.switchboard.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HandshakeRequest;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Finds the token of an upgrade request, in the order of PROTOCOL section 1: header, subprotocol,
 * cookie, query. A carrier that is switched off is not looked at.
 */
@ApplicationScoped
public class TokenCarriers {
    public static final String SUBPROTOCOL = "switchboard.v1";
    private static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";
    private static final String BEARER_SCHEME = "bearer ";

    private final AuthConfig.Carriers carriers;

    public TokenCarriers(AuthConfig config) {
        this.carriers = config.carriers();
        if (carriers.cookie().enabled() && config.allowedOrigins().isEmpty()) {
            throw new IllegalStateException("switchboard.auth.carriers.cookie.enabled needs switchboard.auth.allowed-origins: "
                    + "a cookie is sent by the browser to any page that opens a socket, so only an Origin allowlist "
                    + "stops cross-site WebSocket hijacking");
        }
    }

    /**
     * @return the token, or null when no enabled carrier holds one
     * @throws TokenRejectedException {@code malformed} when a carrier is present but not well-formed
     */
    public String extract(HttpServerRequest request) throws TokenRejectedException {
        if (carriers.header()) {
            String token = fromAuthorization(request.getHeader(HttpHeaders.AUTHORIZATION));
            if (token != null) {
                return token;
            }
        }
        if (carriers.subprotocol()) {
            String token = fromSubprotocols(request.getHeader(HandshakeRequest.SEC_WEBSOCKET_PROTOCOL));
            if (token != null) {
                return token;
            }
        }
        if (carriers.cookie().enabled()) {
            Cookie cookie = request.getCookie(carriers.cookie().name());
            if (cookie != null && !cookie.getValue().isEmpty()) {
                return cookie.getValue();
            }
        }
        if (carriers.query()) {
            String token = request.getParam("access_token");
            if (token != null) {
                return token;
            }
        }
        return null;
    }

    /**
     * The token of an {@code Authorization: Bearer <jwt>} header, for the upgrade and the server API.
     *
     * @return null when there is no header
     * @throws TokenRejectedException {@code malformed} for another scheme
     */
    public static String fromAuthorization(String authorization) throws TokenRejectedException {
        if (authorization == null) {
            return null;
        }
        if (!authorization.regionMatches(true, 0, BEARER_SCHEME, 0, BEARER_SCHEME.length())) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        return authorization.substring(BEARER_SCHEME.length()).trim();
    }

    /**
     * The token offered as {@code bearer.<jwt>}. The {@code switchboard.v1} subprotocol must be offered
     * beside it: the server answers with that one, and a browser that offered only the token would
     * otherwise get no subprotocol back and drop the socket.
     */
    private static String fromSubprotocols(String header) throws TokenRejectedException {
        if (header == null) {
            return null;
        }
        String token = null;
        boolean versionOffered = false;
        for (String offered : header.split(",")) {
            String protocol = offered.trim();
            if (protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
                token = protocol.substring(BEARER_SUBPROTOCOL_PREFIX.length());
            } else if (protocol.equals(SUBPROTOCOL)) {
                versionOffered = true;
            }
        }
        if (token != null && !versionOffered) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        return token;
    }
}
