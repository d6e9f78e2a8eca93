package io.switchboard.cluster;

/**
 * A snapshot of the bus.
 *
 * @param engine {@code in-process}, {@code redis} or {@code redis-cluster}
 * @param connected whether publishing and subscribing both work now
 * @param heldBack messages accepted but not yet handed to Redis
 * @param canaryRoundTripMillis the last canary's round trip through Redis, or -1
 */
public record BusStatus(String engine, boolean connected, int heldBack, long canaryRoundTripMillis) {
}
