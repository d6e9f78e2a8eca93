package io.switchboard.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/** Chooses the engine: Redis when a Redis URL is configured, in-process otherwise. */
@ApplicationScoped
public class BusProducer {

    @Produces
    @Singleton
    Bus bus(ClusterConfig config, LocalNode local, NodeIdentity node, Vertx vertx, BusMetrics metrics) {
        if (config.redisUrl().isEmpty()) {
            return new InProcessBus(local);
        }
        RedisBus redis = new RedisBus(config, local, node, vertx, metrics);
        redis.start();
        return redis;
    }

    void close(@Disposes Bus bus) {
        if (bus instanceof RedisBus redis) {
            redis.stop();
        }
    }

    /** Connects to Redis at boot rather than at the first join. */
    void connectAtStartup(@Observes StartupEvent event, Bus bus) {
        bus.status();
    }
}
