package io.switchboard.auth;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cross-site WebSocket hijacking guard. Browsers always send {@code Origin} on a WebSocket upgrade,
 * so a request without one is not a browser and is let through; a browser from an origin off the
 * allowlist is refused.
 */
@ApplicationScoped
public class OriginPolicy {
    private final Set<String> allowed;

    public OriginPolicy(AuthConfig config) {
        this.allowed = config.allowedOrigins().map(Set::copyOf).orElse(null);
    }

    public boolean permits(String origin) {
        return allowed == null || origin == null || allowed.contains(origin);
    }
}
