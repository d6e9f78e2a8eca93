package io.switchboard.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.switchboard.rooms.RoomRules;
import io.vertx.core.Vertx;

/** Chooses the engine: Redis when a Redis URL is configured, in-process otherwise. */
@ApplicationScoped
public class BusProducer {
    private static final Logger LOG = Logger.getLogger(BusProducer.class);
    private static final long RETAINED_WAIT_SECONDS = 5;

    @Produces
    @Singleton
    Bus bus(ClusterConfig config, LocalNode local, NodeIdentity node, Vertx vertx, BusMetrics metrics, RoomRules rules) {
        if (config.redisUrl().isEmpty()) {
            return new InProcessBus(local, vertx, rules::history);
        }
        RedisBus redis = new RedisBus(config, local, node, vertx, metrics, rules::history);
        redis.start();
        return redis;
    }

    void close(@Disposes Bus bus) {
        if (bus instanceof RedisBus redis) {
            redis.stop();
        }
    }

    /**
     * Connects to Redis at boot rather than at the first join, and waits a little for the retained
     * revocations, so a node that starts while a token is revoked does not admit it. If Redis is
     * unreachable the node starts anyway and applies them once connected.
     */
    void connectAtStartup(@Observes StartupEvent event, Bus bus) {
        if (bus instanceof RedisBus redis) {
            try {
                redis.retainedLoaded().get(RETAINED_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                LOG.warn("Redis not reachable at startup: retained revocations will apply once it is");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
