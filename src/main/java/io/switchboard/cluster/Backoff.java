package io.switchboard.cluster;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: from {@code reconnect-min}, doubling after each attempt up to
 * {@code reconnect-max}, each one jittered to between half and all of it so nodes that lost Redis
 * together do not come back in step. Not thread-safe: its owner guards it as it guards its own state.
 */
final class Backoff {
    private final long min;
    private final long max;
    private long delay;

    Backoff(Duration min, Duration max) {
        this.min = min.toMillis();
        this.max = max.toMillis();
        this.delay = this.min;
    }

    /** The delay before the next attempt (at least 1 ms); the one after it is twice as long. */
    long next() {
        long current = delay;
        delay = Math.min(current * 2, max);
        return Math.max(1, current / 2 + ThreadLocalRandom.current().nextLong(current / 2 + 1));
    }

    /** A connection was made: the next loss starts again from the minimum. */
    void reset() {
        delay = min;
    }
}
