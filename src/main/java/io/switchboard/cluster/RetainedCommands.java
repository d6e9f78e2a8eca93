package io.switchboard.cluster;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.jboss.logging.Logger;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Retained control commands (revocations): kept in one Redis hash, one field per
 * {@link ControlCommand.Revocation#key()}, until they expire, and carried out by every node each time its
 * subscription is (re)built, so a node that starts or reconnects later applies them too.
 * <p>
 * Thread discipline: no mutable state but the first load's future, which is thread-safe. Storing
 * goes through the publisher's ordered connection; loading is asked for on the engine's context
 * and carries the commands out from the reply's callback.
 */
final class RetainedCommands {
    private static final Logger LOG = Logger.getLogger(RetainedCommands.class);

    private final Redis client;
    private final String key;
    private final LocalNode local;
    private final BusMetrics metrics;
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    RetainedCommands(Redis client, String prefix, LocalNode local, BusMetrics metrics) {
        this.client = client;
        this.key = prefix + "retained";
        this.local = local;
        this.metrics = metrics;
    }

    /**
     * The commands that store a retained command, to be sent before it is published on the same
     * ordered connection, so a node that loads the retained commands after seeing this one published
     * finds it; none when the command is not a retained revocation. Each field carries its own
     * expiry; the key lives as long as its longest-lived field.
     */
    List<RedisPublisher.Write> store(ControlCommand command, String encoded) {
        if (!(command instanceof ControlCommand.Revocation revocation) || !revocation.retained()) {
            return List.of();
        }
        long ttlSeconds = Math.max(1, (revocation.expiresAt() - System.currentTimeMillis()) / 1000 + 1);
        return List.of(new RedisPublisher.Write(Request.cmd(Command.HSET).arg(key).arg(revocation.key()).arg(encoded), encoded.length()),
                new RedisPublisher.Write(Request.cmd(Command.EXPIRE).arg(key).arg(ttlSeconds).arg("NX"), 16),
                new RedisPublisher.Write(Request.cmd(Command.EXPIRE).arg(key).arg(ttlSeconds).arg("GT"), 16));
    }

    /** Completes once the retained commands were loaded from Redis for the first time. */
    CompletableFuture<Void> loaded() {
        return loaded;
    }

    /** Carries out every stored command that has not expired; deletes the expired ones and any it cannot read. */
    void load() {
        client.send(Request.cmd(Command.HGETALL).arg(key)).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("could not load retained commands: %s", ar.cause().getMessage());
                return;
            }
            long now = System.currentTimeMillis();
            Response all = ar.result();
            int applied = 0;
            for (String field : all == null ? Set.<String> of() : all.getKeys()) {
                ControlCommand command = ControlCommandJson.decode(all.get(field).toString());
                if (command == null || command.expiresAt() < now) {
                    client.send(Request.cmd(Command.HDEL).arg(key).arg(field)).onFailure(e -> {
                        // harmless (the field is dropped again at the next load) but worth seeing
                        LOG.warnf("could not delete the expired retained command %s: %s", field, e.getMessage());
                        metrics.failed("retained-cleanup");
                    });
                } else {
                    local.execute(command);
                    applied++;
                }
            }
            LOG.debugf("applied %d retained commands", applied);
            loaded.complete(null);
        });
    }
}
