package io.switchboard.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.switchboard.history.RoomStreams;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * The subscribing half of the Redis engine: a second connection, subscribed to the control channel,
 * this node's canary channel and exactly the room channels wanted here. It is rebuilt with backoff
 * when it ends, errs, or when the {@link Canary} stops coming back, and every wanted channel is
 * subscribed again.
 * <p>
 * It keeps the channels wanted and those Redis confirmed; the joins waiting for a confirmation, each
 * with its own timer, so a timeout fails only its own waiter; and, per channel and origin, the last
 * envelope sequence seen, to drop the copies an origin sends again after its publisher reconnected.
 * Origins not heard from on a channel for {@code dedup-window} are forgotten.
 * <p>
 * Thread discipline: confined to the engine's context. Every method must be called on it; the
 * connection's handlers and the timers set here run on it. Three fields are volatile so that other
 * threads may read them: the connection (for the bus status), the dedup count (for its gauge) and
 * the stop flag (set by {@link #stop} from any thread).
 */
final class RedisSubscriber {
    private static final Logger LOG = Logger.getLogger(RedisSubscriber.class);
    private static final int SUBSCRIBE_BATCH = 256;

    private final ClusterConfig config;
    private final Redis client;
    private final Vertx vertx;
    private final Context context;
    private final RedisDialect dialect;
    private final String self;
    private final LocalNode local;
    private final RedisHistory history;
    private final RoomStreams streams;
    private final Canary canary;
    private final RetainedCommands retained;
    private final BusMetrics metrics;
    private final String roomPrefix;
    private final String controlChannel;

    private volatile RedisConnection sub;
    private final Set<String> wanted = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();
    /** Joins waiting for their room's subscription to be confirmed, each with its own deadline. */
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final Map<String, Map<String, Seen>> lastSeqByChannel = new HashMap<>();
    /** The time of the last tick: when an origin was last seen, without a clock read per message. */
    private long tickedAt = System.currentTimeMillis();
    private long nextDedupSweep;
    private volatile int dedupEntries;
    private final Backoff backoff;
    private volatile boolean stopped;

    /** The last sequence number seen from one origin on one channel, and when (for pruning). */
    private static final class Seen {
        long seq;
        long at;
    }

    /** A join waiting for its room's subscription; {@code done} gets null when confirmed, else the failure. */
    private static final class Waiter {
        final Consumer<Throwable> done;
        long timer;

        Waiter(Consumer<Throwable> done) {
            this.done = done;
        }
    }

    RedisSubscriber(ClusterConfig config, Redis client, Vertx vertx, Context context, RedisDialect dialect, String self,
            LocalNode local, RedisHistory history, RoomStreams streams, Canary canary, RetainedCommands retained,
            BusMetrics metrics) {
        this.config = config;
        this.client = client;
        this.vertx = vertx;
        this.context = context;
        this.dialect = dialect;
        this.self = self;
        this.local = local;
        this.history = history;
        this.streams = streams;
        this.canary = canary;
        this.retained = retained;
        this.metrics = metrics;
        this.roomPrefix = config.channelPrefix() + "room:";
        this.controlChannel = config.channelPrefix() + "control";
        this.backoff = new Backoff(config.reconnectMin(), config.reconnectMax());
    }

    /** Connects; reconnects with backoff whenever the connection is lost, until {@link #stop}. */
    void start() {
        connect();
    }

    /** May be called from any thread: no reconnect from now on, and the connection is closed on the context. */
    void stop() {
        stopped = true;
        context.runOnContext(v -> {
            RedisConnection connection = sub;
            if (connection != null) {
                sub = null;
                connection.close();
            }
        });
    }

    boolean connected() {
        return sub != null;
    }

    /**
     * Subscribes to the channel if needed and calls {@code done} with null once Redis confirmed the
     * subscription, or with a {@link BusUnavailableException} when that takes longer than
     * {@code subscribe-timeout}, even across a rebuilt connection (PROTOCOL section 7).
     */
    void awaitSubscribed(String channel, Consumer<Throwable> done) {
        if (wanted.add(channel) && sub != null) {
            subscribe(List.of(channel));
        }
        if (confirmed.contains(channel)) {
            done.accept(null);
            return;
        }
        Waiter waiter = new Waiter(done);
        waiters.computeIfAbsent(channel, c -> new ArrayList<>()).add(waiter);
        // A timer set on the context fires on it.
        waiter.timer = vertx.setTimer(config.subscribeTimeout().toMillis(), id -> {
            List<Waiter> waiting = waiters.get(channel);
            if (waiting != null && waiting.remove(waiter)) {
                if (waiting.isEmpty()) {
                    waiters.remove(channel);
                }
                done.accept(new BusUnavailableException("the room's subscription could not be confirmed in time"));
            }
        });
    }

    /** The channel is no longer wanted: unsubscribed (without waiting for Redis to confirm) and its origins forgotten. */
    void unwant(String channel) {
        if (wanted.remove(channel)) {
            confirmed.remove(channel);
            forgetChannel(channel);
            if (sub != null) {
                sub.send(Request.cmd(dialect.unsubscribe).arg(channel));
            }
        }
    }

    /** The connection went silent: rebuild it. */
    void lost(String why) {
        RedisConnection connection = sub;
        if (connection != null) {
            lost(connection, why);
        }
    }

    /** Called every canary interval: the clock for the origins' last sightings, and their pruning. */
    void tick(long now) {
        tickedAt = now;
        pruneDedup(now);
    }

    /** Origins remembered across channels for dropping resent copies (a gauge). */
    int dedupEntries() {
        return dedupEntries;
    }

    private void releaseWaiters(String channel) {
        List<Waiter> waiting = waiters.remove(channel);
        if (waiting != null) {
            for (Waiter waiter : waiting) {
                vertx.cancelTimer(waiter.timer);
                waiter.done.accept(null);
            }
        }
    }

    private void connect() {
        if (stopped) {
            return;
        }
        client.connect().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("Redis subscriber connect failed: %s", ar.cause().getMessage());
                reconnectLater();
                return;
            }
            RedisConnection connection = ar.result();
            connection.handler(this::onPush);
            connection.exceptionHandler(e -> lost(connection, "error: " + e.getMessage()));
            connection.endHandler(v -> lost(connection, "connection ended"));
            sub = connection;
            backoff.reset();
            canary.subscribed();
            List<String> channels = new ArrayList<>(wanted.size() + 2);
            channels.add(controlChannel);
            channels.add(canary.channel());
            channels.addAll(wanted);
            subscribe(channels);
            // Commands retained while this node was away (or before it started) apply now.
            retained.load();
            metrics.resubscribed();
            LOG.infof("Redis subscriber connected; subscribed to %d rooms", wanted.size());
        });
    }

    private void reconnectLater() {
        if (!stopped) {
            vertx.setTimer(backoff.next(), id -> context.runOnContext(v -> connect()));
        }
    }

    private void subscribe(List<String> channels) {
        if (dialect.batchSubscribe) {
            for (int from = 0; from < channels.size(); from += SUBSCRIBE_BATCH) {
                Request request = Request.cmd(dialect.subscribe);
                channels.subList(from, Math.min(channels.size(), from + SUBSCRIBE_BATCH)).forEach(request::arg);
                sub.send(request);
            }
        } else {
            channels.forEach(channel -> sub.send(Request.cmd(dialect.subscribe).arg(channel)));
        }
    }

    private void lost(RedisConnection connection, String why) {
        if (sub != connection) {
            return;
        }
        sub = null;
        confirmed.clear();
        // The origins' last sequences stay: a publisher that lost its connection too sends again
        // what Redis may already have published to this node. Waiting joins stay: the rebuilt
        // subscription may still be confirmed within their deadline.
        LOG.warnf("Redis subscription lost (%s); re-subscribing", why);
        connection.close();
        reconnectLater();
    }

    private void onPush(Response push) {
        if (push.type() == ResponseType.ERROR) {
            // e.g. MOVED for a sharded subscribe after a slot migration: rebuild the subscription.
            LOG.warnf("Redis subscription error: %s", push);
            lost(push.toString());
            return;
        }
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
            return;
        }
        String kind = push.get(0).toString();
        if (dialect.messageKind.equals(kind)) {
            onMessage(push.get(1).toString(), push.get(2).toBuffer());
        } else if (dialect.subscribedKind.equals(kind)) {
            String channel = push.get(1).toString();
            confirmed.add(channel);
            String historyRoom = history.room(channel);
            if (historyRoom != null) {
                // a rebuilt subscription may have missed messages: they are read back first
                streams.subscribed(historyRoom);
            }
            releaseWaiters(channel);
        } else if (dialect.unsubscribedKind.equals(kind) && push.get(1) != null) {
            String channel = push.get(1).toString();
            if (wanted.contains(channel) && confirmed.contains(channel) && sub != null) {
                // Redis dropped a subscription we still want (a slot moved away): take it again.
                confirmed.remove(channel);
                subscribe(List.of(channel));
            }
        }
    }

    private void onMessage(String channel, Buffer payload) {
        if (payload.length() > 0 && payload.getByte(0) == RedisHistory.VERSION) {
            RedisHistory.Message message = RedisHistory.Message.decode(payload.toString(StandardCharsets.UTF_8));
            String room = history.room(channel);
            if (message != null && room != null) {
                streams.live(room, message.epoch(), message.offset(), message.ts(), message.frame(),
                        !self.equals(message.origin()));
            }
            return;
        }
        Envelope envelope = Envelope.decode(payload);
        if (envelope == null) {
            LOG.debugf("ignored a message of an unknown format on %s", channel);
            return;
        }
        if (self.equals(envelope.origin())) {
            if (channel.equals(canary.channel())) {
                canary.received(envelope.seq());
            }
            return;
        }
        Map<String, Seen> lastSeq = lastSeqByChannel.computeIfAbsent(channel, c -> new HashMap<>());
        Seen seen = lastSeq.get(envelope.origin());
        if (seen == null) {
            seen = new Seen();
            lastSeq.put(envelope.origin(), seen);
            dedupEntries++;
        } else if (envelope.seq() <= seen.seq) {
            return; // a copy resent after the origin's publisher reconnected
        }
        seen.seq = envelope.seq();
        seen.at = tickedAt;
        if (channel.equals(controlChannel)) {
            ControlCommand command = ControlCommandJson.decode(envelope.body());
            if (command != null) {
                local.execute(command);
            }
        } else if (channel.startsWith(roomPrefix)) {
            String historyRoom = history.room(channel);
            local.deliver(historyRoom != null ? historyRoom : channel.substring(roomPrefix.length()), envelope.body(),
                    envelope.ts(), true);
        }
    }

    private void forgetChannel(String channel) {
        Map<String, Seen> forgotten = lastSeqByChannel.remove(channel);
        if (forgotten != null) {
            dedupEntries -= forgotten.size();
        }
    }

    /**
     * Forgets origins not heard from on a channel for the dedup window: a peer that restarted, or
     * left the room, comes back under a new origin or a higher sequence anyway. Swept at most four
     * times per window.
     */
    private void pruneDedup(long now) {
        long window = config.dedupWindow().toMillis();
        if (now < nextDedupSweep) {
            return;
        }
        nextDedupSweep = now + window / 4;
        for (Iterator<Map<String, Seen>> channels = lastSeqByChannel.values().iterator(); channels.hasNext();) {
            Map<String, Seen> origins = channels.next();
            int before = origins.size();
            origins.values().removeIf(seen -> now - seen.at > window);
            dedupEntries -= before - origins.size();
            if (origins.isEmpty()) {
                channels.remove();
            }
        }
    }
}
