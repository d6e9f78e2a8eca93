package io.switchboard.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Per-user connection cap. A slot is taken at the upgrade, before the socket exists, so two
 * concurrent upgrades cannot both slip under the cap; it is given back exactly once, whichever of
 * "socket closed" or "upgrade never completed" comes first.
 */
@ApplicationScoped
public class ConnectionQuota {
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final int max;

    public ConnectionQuota(LimitsConfig limits) {
        this.max = limits.connectionsPerUser();
    }

    /** @return a lease, or null when the user already holds the maximum */
    public Lease tryAcquire(String sub) {
        boolean[] granted = { false };
        perUser.compute(sub, (user, held) -> {
            int count = held == null ? 0 : held;
            if (count >= max) {
                return held;
            }
            granted[0] = true;
            return count + 1;
        });
        return granted[0] ? new Lease(sub) : null;
    }

    public int held(String sub) {
        return perUser.getOrDefault(sub, 0);
    }

    public final class Lease {
        private final String sub;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(String sub) {
            this.sub = sub;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                perUser.computeIfPresent(sub, (user, held) -> held <= 1 ? null : held - 1);
            }
        }
    }
}
