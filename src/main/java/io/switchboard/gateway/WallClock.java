package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

/** The time the per-frame guards compare token expiry against; a bean so tests can move it. */
@ApplicationScoped
public class WallClock {
    public long millis() {
        return System.currentTimeMillis();
    }
}
