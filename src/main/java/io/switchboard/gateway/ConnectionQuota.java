package io.switchboard.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Connection caps per user and per node. A slot is taken at the upgrade, before the socket exists,
 * so concurrent upgrades cannot slip past a cap together; it is given back exactly once, whichever
 * of "socket closed" or "upgrade never completed" comes first.
 */
@ApplicationScoped
public class ConnectionQuota {
    /** The answer to a request for a slot: a lease, or why there is none. */
    public sealed interface Slot permits Lease, Refusal {
    }

    public enum Refusal implements Slot {
        USER_FULL,
        NODE_FULL
    }

    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger onNode = new AtomicInteger();
    private final int maxPerUser;
    private final int maxPerNode;

    public ConnectionQuota(LimitsConfig limits) {
        this.maxPerUser = limits.connectionsPerUser();
        this.maxPerNode = limits.connectionsPerNode();
    }

    public Slot tryAcquire(String sub) {
        if (onNode.incrementAndGet() > maxPerNode) {
            onNode.decrementAndGet();
            return Refusal.NODE_FULL;
        }
        boolean[] granted = { false };
        perUser.compute(sub, (user, held) -> {
            int count = held == null ? 0 : held;
            if (count >= maxPerUser) {
                return held;
            }
            granted[0] = true;
            return count + 1;
        });
        if (!granted[0]) {
            onNode.decrementAndGet();
            return Refusal.USER_FULL;
        }
        return new Lease(sub);
    }

    public final class Lease implements Slot {
        private final String sub;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(String sub) {
            this.sub = sub;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                perUser.computeIfPresent(sub, (user, held) -> held <= 1 ? null : held - 1);
                onNode.decrementAndGet();
            }
        }
    }
}
