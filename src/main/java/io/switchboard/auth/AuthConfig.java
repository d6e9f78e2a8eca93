package io.switchboard.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What the gateway adds on top of MicroProfile JWT verification: how tokens are carried, the roles
 * the endpoint requires, and the timers. Keys, issuer, audiences, clock skew and the roles claim are
 * configured with the standard {@code mp.jwt.*} and {@code smallrye.jwt.*} keys (see the README).
 */
@ConfigMapping(prefix = "switchboard.auth")
public interface AuthConfig {

    /**
     * Roles of which a token must hold at least one to open a connection (and to be accepted by
     * {@code refresh}); when absent, any verified token may connect.
     */
    Optional<Set<String>> requiredRoles();

    /** Tokens longer than this are refused as malformed before any parsing. */
    @WithDefault("8192")
    int maxTokenBytes();

    /**
     * How long an upgrade waits for the JWKS to be fetched again when its token names a key id the
     * node does not know (a key the identity provider has just published).
     */
    @WithDefault("5s")
    Duration unknownKeyWait();

    /** How long before {@code exp} the {@code expiring} frame is sent. */
    @WithDefault("30s")
    Duration expiringNotice();

    /**
     * The longest life a token can have (its {@code exp} minus {@code iat}): a revocation is kept this
     * long (by user: from its {@code issuedBefore}), after which no token it matches is valid anyway.
     */
    @WithDefault("24h")
    Duration maxTokenLifetime();

    /** Origins allowed to open a connection; when absent, any Origin (or none) is accepted. */
    Optional<List<String>> allowedOrigins();

    Carriers carriers();

    interface Carriers {
        /** {@code Authorization: Bearer <jwt>}. */
        @WithDefault("true")
        boolean header();

        /** {@code Sec-WebSocket-Protocol: switchboard.v1, bearer.<jwt>}. */
        @WithDefault("true")
        boolean subprotocol();

        Cookie cookie();

        /** {@code ?access_token=<jwt>}: off because URLs end up in proxy logs. */
        @WithDefault("false")
        boolean query();
    }

    interface Cookie {
        /** Only allowed together with {@code switchboard.auth.allowed-origins}. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("switchboard_token")
        String name();
    }
}
