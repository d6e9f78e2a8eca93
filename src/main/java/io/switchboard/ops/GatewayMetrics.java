package io.switchboard.ops;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.switchboard.protocol.CloseCodes;

/**
 * The gateway's meters, {@code switchboard_*} in Prometheus (documented in the README). Meters are
 * looked up once per tag value and cached, so the hot path only increments. Created at boot
 * ({@code @Startup}, like the beans that register gauges), so every meter is exported from the
 * first scrape.
 */
@Startup
@ApplicationScoped
public class GatewayMetrics {
    private final MeterRegistry registry;
    private final Counter upgradesAccepted;
    private final Counter framesOut;
    private final Counter deliveries;
    private final Timer localLatency;
    private final Timer remoteLatency;
    private final Counter slowConsumers;
    private final Counter loopOverflows;
    private final ConcurrentHashMap<String, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> framesIn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> denials = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Counter> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();
    /** The key of the {@code other} close code bucket: not a valid close code. */
    private static final int OTHER_CLOSE = -1;

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.upgradesAccepted = upgrades("accepted", "none");
        this.framesOut = Counter.builder("switchboard.frames.out").description("Frames sent to clients").register(registry);
        this.deliveries = Counter.builder("switchboard.deliveries")
                .description("Room messages handed to a member connection").register(registry);
        this.localLatency = latency("local");
        this.remoteLatency = latency("remote");
        this.slowConsumers = Counter.builder("switchboard.slow.consumers")
                .description("Connections closed with 1013 because they did not read fast enough").register(registry);
        this.loopOverflows = Counter.builder("switchboard.loop.overflows")
                .description("Connections closed with 1013 because their event loop's queue of room messages was full")
                .register(registry);
    }

    private Counter upgrades(String outcome, String reason) {
        return Counter.builder("switchboard.upgrades").description("WebSocket upgrades by outcome and refusal reason")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }

    private Timer latency(String path) {
        return Timer.builder("switchboard.delivery.latency")
                .description("From a publish being accepted to its delivery to this node's members")
                .tag("path", path)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Gauges over live state, read at scrape time. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public void upgradeAccepted() {
        upgradesAccepted.increment();
    }

    public void upgradeRefused(String reason) {
        refusals.computeIfAbsent(reason, r -> upgrades("refused", r)).increment();
    }

    public void frameIn(String op) {
        framesIn.computeIfAbsent(op, o -> Counter.builder("switchboard.frames.in")
                .description("Frames received from clients by op (invalid: not decodable)").tag("op", o).register(registry))
                .increment();
    }

    public void framesOut(int count) {
        framesOut.increment(count);
    }

    public void denied(String reason) {
        denials.computeIfAbsent(reason, r -> Counter.builder("switchboard.guard.denials")
                .description("Frames refused by a guard or a rule, by error code").tag("reason", r).register(registry))
                .increment();
    }

    /** A closed connection; codes outside {@link CloseCodes#known} (a client's own choice) share the tag {@code other}. */
    public void closed(int code) {
        int bucket = CloseCodes.known(code) ? code : OTHER_CLOSE;
        closes.computeIfAbsent(bucket, c -> Counter.builder("switchboard.closes")
                .description("Closed connections by close code")
                .tag("code", c == OTHER_CLOSE ? "other" : String.valueOf(c)).register(registry))
                .increment();
    }

    /** A connection closed with 1013 because its outbound queue overflowed. */
    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** An operation that failed with nobody waiting for it (logged where it happens); a fixed set of names. */
    public void failed(String operation) {
        failures.computeIfAbsent(operation, o -> Counter.builder("switchboard.failures")
                .description("Operations that failed with nobody waiting for them, by operation").tag("operation", o)
                .register(registry)).increment();
    }

    /** A connection closed with 1013 because its event loop's queue of room messages was full. */
    public void loopOverflow() {
        loopOverflows.increment();
    }

    /** One message handed to {@code members} local members, published at {@code publishedAt} (epoch ms). */
    public void delivered(int members, long publishedAt, boolean remote) {
        if (members == 0) {
            return;
        }
        deliveries.increment(members);
        framesOut.increment(members);
        long age = Math.max(0, System.currentTimeMillis() - publishedAt);
        (remote ? remoteLatency : localLatency).record(age, TimeUnit.MILLISECONDS);
    }
}
