package io.switchboard.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How tokens are carried, verified and timed out. Every key is documented in the README. */
@ConfigMapping(prefix = "switchboard.auth")
public interface AuthConfig {

    /** Expected {@code iss}; not checked when absent. */
    Optional<String> issuer();

    /** Accepted {@code aud} values (any one must be present); not checked when absent. */
    Optional<List<String>> audience();

    /** PEM public key (RSA or EC) inline, e.g. from a Kubernetes Secret. */
    Optional<String> publicKey();

    /** PEM public key (RSA or EC): a file path or a classpath resource. */
    Optional<String> publicKeyLocation();

    /** JWKS document: a file path, a classpath resource or an http(s) URL. */
    Optional<String> jwksLocation();

    /** How often a JWKS fetched over http(s) is fetched again. */
    @WithDefault("10m")
    Duration jwksRefresh();

    /** Shared secret for HS256 (at least 32 bytes). HS256 is refused when absent. */
    Optional<String> hs256Secret();

    /** Tolerance applied to {@code exp} and {@code nbf}. */
    @WithDefault("30s")
    Duration clockSkew();

    /** Tokens longer than this are refused as malformed before any parsing. */
    @WithDefault("8192")
    int maxTokenBytes();

    /** The claim holding the roles: an array of strings. */
    @WithDefault("groups")
    String rolesClaim();

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
