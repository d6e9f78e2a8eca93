package io.switchboard.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.netty.util.concurrent.EventExecutor;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/** Live means "not wedged": every event loop runs a task within a bound. */
@Liveness
@ApplicationScoped
public class LivenessCheck implements AsyncHealthCheck {
    private static final Duration BOUND = Duration.ofSeconds(2);

    private final Vertx vertx;

    public LivenessCheck(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        List<Uni<Long>> pings = new ArrayList<>();
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            long sent = System.nanoTime();
            pings.add(Uni.createFrom().<Long> emitter(e -> loop.execute(() -> e.complete(System.nanoTime() - sent))));
        }
        return Uni.join().all(pings).andFailFast()
                .map(lags -> HealthCheckResponse.named("event-loops").up()
                        .withData("eventLoops", lags.size())
                        .withData("maxLagMs", lags.stream().mapToLong(l -> l / 1_000_000).max().orElse(0))
                        .build())
                .ifNoItem().after(BOUND)
                .recoverWithItem(HealthCheckResponse.named("event-loops").down()
                        .withData("reason", "an event loop did not answer within " + BOUND.toMillis() + " ms").build());
    }
}
