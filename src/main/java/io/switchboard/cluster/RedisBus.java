package io.switchboard.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.switchboard.history.HistoryJoin;
import io.switchboard.history.RoomStreams;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The Redis engine: one channel per room, subscribed only while the room has members here. It wires
 * four parts, each with its own thread discipline:
 * <ul>
 * <li>{@link RedisPublisher}: one dedicated connection, so this node's messages keep their order,
 * and the bounded hold-back buffer that keeps every accepted message until Redis acknowledges it
 * (guarded by its monitor);</li>
 * <li>{@link RedisSubscriber}: a second connection, rebuilt with backoff, with the room channels
 * wanted and confirmed, the joins waiting for a confirmation and the dropping of resent copies
 * (confined to this engine's Vert.x context, so joins and leaves from any event loop are applied in
 * one order against the rooms' current membership);</li>
 * <li>{@link Canary}: a message this node sends itself through Redis, to catch a subscription that
 * died silently while its socket looks fine (on the context);</li>
 * <li>{@link RetainedCommands}: revocations kept in Redis for nodes that connect later.</li>
 * </ul>
 * A history room's messages go through {@link RedisHistory}'s script, which stores, numbers and
 * publishes each one; every node, the publisher's own included, delivers them as they come back on
 * the room's channel, through {@link RoomStreams} on the same context, which keeps them in offset
 * order and reads what it missed from the history.
 */
public final class RedisBus implements Bus {
    private final LocalNode local;
    private final Context context;
    private final RedisDialect dialect;
    private final Redis pubClient;
    private final Redis subClient;
    private final String roomPrefix;
    private final String controlChannel;
    private final Function<String, HistorySpec> histories;
    private final RedisHistory history;
    private final String publishCommand;
    /** History rooms served here; confined to the context. */
    private final RoomStreams streams;
    private final RedisPublisher publisher;
    private final RedisSubscriber subscriber;
    private final Canary canary;
    private final RetainedCommands retained;

    public RedisBus(ClusterConfig config, LocalNode local, NodeIdentity node, Vertx vertx, BusMetrics metrics,
            Function<String, HistorySpec> histories) {
        String self = node.instanceId();
        this.local = local;
        this.context = vertx.getOrCreateContext();
        this.dialect = config.redisMode() == ClusterConfig.RedisMode.CLUSTER ? RedisDialect.SHARDED : RedisDialect.CLASSIC;
        List<String> urls = config.redisUrl().orElseThrow();
        this.pubClient = Redis.createClient(vertx, options(config, urls, new NetClientOptions().setTcpKeepAlive(true)));
        NetClientOptions subNet = new NetClientOptions().setTcpKeepAlive(true);
        if (dialect == RedisDialect.CLASSIC) {
            // The one subscription socket carries a canary every canary-interval: silence longer than
            // the timeout means a dead socket even when no FIN or RST ever arrives. A cluster
            // connection holds a socket to every master, and one whose shard has none of this node's
            // channels is silent by design: an idle timeout there rebuilt the whole subscription every
            // canary-timeout. In cluster mode the canary watches its own shard (docs/protocol.md).
            subNet.setReadIdleTimeout((int) Math.max(1, config.canaryTimeout().toSeconds()));
        }
        this.subClient = Redis.createClient(vertx, options(config, urls, subNet));
        String prefix = config.channelPrefix();
        this.roomPrefix = prefix + "room:";
        this.controlChannel = prefix + "control";
        this.histories = histories;
        this.history = new RedisHistory(pubClient, context, prefix, self);
        this.publishCommand = dialect == RedisDialect.SHARDED ? "SPUBLISH" : "PUBLISH";
        this.streams = new RoomStreams(history, local, vertx, this::releaseIfUnused);
        this.publisher = new RedisPublisher(config, pubClient, vertx, context, metrics, self, dialect);
        this.canary = new Canary(config, vertx, publisher, metrics, self);
        this.retained = new RetainedCommands(pubClient, prefix, local, metrics);
        this.subscriber = new RedisSubscriber(config, subClient, vertx, context, dialect, self, local, history, streams,
                canary, retained, metrics);
        metrics.register(this);
    }

    private RedisOptions options(ClusterConfig config, List<String> urls, NetClientOptions net) {
        RedisOptions options = new RedisOptions()
                .setType(dialect == RedisDialect.SHARDED ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
                .setPreferredProtocolVersion(ProtocolVersion.RESP3)
                .setMaxWaitingHandlers(Math.max(2048, config.maxInFlight() * 2))
                .setNetClientOptions(net);
        urls.forEach(options::addConnectionString);
        return options;
    }

    public void start() {
        context.runOnContext(v -> {
            canary.start(subscriber);
            publisher.start();
            subscriber.start();
        });
    }

    public void stop() {
        publisher.stop();
        subscriber.stop();
        context.runOnContext(v -> {
            canary.stop();
            pubClient.close();
            subClient.close();
        });
    }

    /** Completes once the retained commands were loaded from Redis for the first time. */
    public CompletableFuture<Void> retainedLoaded() {
        return retained.loaded();
    }

    static BusUnavailableException bufferFull() {
        return new BusUnavailableException("the other nodes are unreachable and the hold-back buffer is full");
    }

    @Override
    public Uni<Long> publish(RoomMessage message, boolean awaitOffset) {
        HistorySpec spec = histories.apply(message.room());
        if (spec != null && ServerFrames.isMessage(message.frame())) {
            // Stored, numbered and published by the script; delivered here when it comes back on the channel.
            return Uni.createFrom().emitter(emitter -> publisher.publishScript(history.channel(message.room()),
                    (seq, previous, loading) -> history.publish(message, spec, publishCommand, seq, previous, loading),
                    message.frame().length() + 64, emitter, awaitOffset));
        }
        // other frames of a history room (presence events) are not numbered, but share its channel
        String channel = spec != null ? history.channel(message.room()) : roomPrefix + message.room();
        if (publisher.publish(channel, message.ts(), message.frame()) < 0) {
            return Uni.createFrom().failure(bufferFull());
        }
        local.deliver(message.room(), message.frame(), message.ts(), false);
        return Uni.createFrom().item(0L);
    }

    @Override
    public Uni<Void> broadcast(ControlCommand command) {
        String encoded = ControlCommandJson.encode(command);
        if (publisher.publish(retained.store(command, encoded), controlChannel, System.currentTimeMillis(), encoded) < 0) {
            return Uni.createFrom().failure(bufferFull());
        }
        local.execute(command);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> roomChanged(String room) {
        if (histories.apply(room) != null) {
            // joins of history rooms subscribe through joinHistory; here only the last member left
            return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> {
                releaseIfUnused(room);
                emitter.complete(null);
            }));
        }
        String channel = roomPrefix + room;
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> {
            if (local.hasMembers(room)) {
                subscriber.awaitSubscribed(channel, failure -> {
                    if (failure == null) {
                        emitter.complete(null);
                    } else {
                        emitter.fail(failure);
                    }
                });
            } else {
                subscriber.unwant(channel);
                emitter.complete(null);
            }
        }));
    }

    @Override
    public void joinHistory(HistoryJoin join) {
        context.runOnContext(v -> {
            streams.open(join);
            subscriber.awaitSubscribed(history.channel(join.room()), failure -> {
                if (failure == null) {
                    streams.join(join);
                } else {
                    streams.withdraw(join, failure.getMessage());
                }
            });
        });
    }

    /** A history room with neither members nor pending joins here is let go; on the context. */
    private void releaseIfUnused(String room) {
        if (!local.hasMembers(room) && !streams.wants(room)) {
            subscriber.unwant(history.channel(room));
            streams.release(room);
        }
    }

    /** Origins remembered across channels for dropping resent copies (a gauge). */
    int dedupEntries() {
        return subscriber.dedupEntries();
    }

    @Override
    public BusStatus status() {
        return new BusStatus(dialect.engine, publisher.connected() && subscriber.connected(), publisher.heldBack(),
                canary.roundTrip());
    }
}
