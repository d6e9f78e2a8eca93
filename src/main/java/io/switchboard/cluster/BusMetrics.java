package io.switchboard.cluster;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The bridge's meters (names are documented in the README). */
@ApplicationScoped
public class BusMetrics {
    private final MeterRegistry registry;
    private final int holdBackLimit;
    private final Counter refused;
    private final Counter failures;
    private final Counter resubscriptions;
    private final Counter canaryMissed;
    private final Timer canaryRoundTrip;
    private final ConcurrentHashMap<String, Counter> failed = new ConcurrentHashMap<>();

    public BusMetrics(MeterRegistry registry, ClusterConfig config) {
        this.registry = registry;
        this.holdBackLimit = config.holdBackMessages();
        this.refused = Counter.builder("switchboard.bus.publish.refused")
                .description("Publishes refused because the hold-back buffer was full").register(registry);
        this.failures = Counter.builder("switchboard.bus.publish.failures")
                .description("Publishes Redis refused on a live connection (they are sent again)").register(registry);
        this.resubscriptions = Counter.builder("switchboard.bus.resubscriptions")
                .description("Times the subscription connection was (re)built and every room re-subscribed").register(registry);
        this.canaryMissed = Counter.builder("switchboard.bus.canary.missed")
                .description("Subscriptions rebuilt because the canary stopped coming back").register(registry);
        this.canaryRoundTrip = Timer.builder("switchboard.bus.canary.round.trip")
                .description("Round trip of the canary through Redis").register(registry);
    }

    void register(RedisBus bus) {
        register((Bus) bus);
        Gauge.builder("switchboard.bus.dedup.entries", bus, RedisBus::dedupEntries)
                .description("Origins remembered per room to drop copies resent after a reconnect").register(registry);
    }

    void register(Bus bus) {
        Gauge.builder("switchboard.bus.connected", bus, b -> b.status().connected() ? 1 : 0)
                .description("1 when publishing and subscribing through Redis both work").register(registry);
        Gauge.builder("switchboard.bus.held.back", bus, b -> b.status().heldBack())
                .description("Messages accepted and not yet acknowledged by Redis").register(registry);
        // Beside the count, so an alert on "more than half full" follows the configured bound.
        Gauge.builder("switchboard.bus.held.back.limit", () -> holdBackLimit)
                .description("Messages the hold-back buffer takes before publishes are refused").register(registry);
    }

    void publishRefused() {
        refused.increment();
    }

    void publishFailed() {
        failures.increment();
    }

    void resubscribed() {
        resubscriptions.increment();
    }

    void canaryMissed() {
        canaryMissed.increment();
    }

    /** An operation that failed where nobody waits for it (logged where it happens). */
    void failed(String operation) {
        failed.computeIfAbsent(operation, o -> Counter.builder("switchboard.failures")
                .description("Operations that failed with nobody waiting for them, by operation").tag("operation", o)
                .register(registry)).increment();
    }

    void canaryRoundTrip(long millis) {
        canaryRoundTrip.record(millis, TimeUnit.MILLISECONDS);
    }
}
