package io.switchboard.support;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.test.Mock;
import io.switchboard.gateway.WallClock;

/**
 * The gateway's clock in tests: real time plus an offset a test may set, to put the per-frame
 * expiry guard past a token's expiry before the connection's own close timer fires.
 */
@Mock
@ApplicationScoped
public class ShiftableClock extends WallClock {
    private static volatile long offsetMillis;

    public static void shift(long millis) {
        offsetMillis = millis;
    }

    public static void reset() {
        offsetMillis = 0;
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis;
    }
}
