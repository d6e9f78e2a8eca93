package io.switchboard.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.Startup;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Live means "not wedged": every event loop runs a task within a bound. The largest lag each check
 * measures is also a gauge, so a loop that is slow but not yet wedged shows (and can page) before
 * the kubelet restarts the pod; it moves as often as the liveness probe runs. Created at boot so the
 * gauge is exported from the first scrape.
 */
@Startup
@Liveness
@ApplicationScoped
public class LivenessCheck implements AsyncHealthCheck {
    private static final Duration BOUND = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final AtomicLong lastMaxLagNanos = new AtomicLong();

    public LivenessCheck(Vertx vertx, GatewayMetrics metrics) {
        this.vertx = vertx;
        metrics.gauge("switchboard.event.loop.lag.seconds",
                "Largest event-loop lag the last liveness check measured (the bound, 2 s, when a loop did not answer)",
                () -> lastMaxLagNanos.get() / 1e9);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Long>> pings = new ArrayList<>();
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            long sent = System.nanoTime();
            pings.add(Uni.createFrom().<Long> emitter(e -> loop.execute(() -> e.complete(System.nanoTime() - sent))));
        }
        return Uni.join().all(pings).andFailFast()
                .map(lags -> {
                    long maxLag = lags.stream().mapToLong(Long::longValue).max().orElse(0);
                    lastMaxLagNanos.set(maxLag);
                    return HealthCheckResponse.named("event-loops").up()
                            .withData("eventLoops", lags.size())
                            .withData("maxLagMs", maxLag / 1_000_000)
                            .build();
                })
                .ifNoItem().after(BOUND)
                .recoverWithItem(() -> {
                    lastMaxLagNanos.set(BOUND.toNanos());
                    return HealthCheckResponse.named("event-loops").down()
                            .withData("reason", "an event loop did not answer within " + BOUND.toMillis() + " ms").build();
                });
    }
}
