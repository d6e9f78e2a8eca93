package io.switchboard.ops;

import jakarta.enterprise.context.ApplicationScoped;

/** Whether this node is draining for shutdown: not ready, and refusing new connections. */
@ApplicationScoped
public class DrainState {
    private volatile boolean draining;

    public boolean draining() {
        return draining;
    }

    public void begin() {
        draining = true;
    }
}
