package io.switchboard.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.switchboard.history.HistoryJoin;
import io.switchboard.history.RoomStreams;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * The Redis engine: one channel per room, subscribed only while the room has members here.
 * <p>
 * Publishing goes over one dedicated connection, so one publisher's messages keep their order.
 * Every accepted message stays in this node's hold-back buffer until Redis acknowledges it; when
 * the connection drops, what was in flight goes back to the front of the buffer and is sent again
 * after reconnecting (receivers drop the copies by origin sequence). Nothing accepted is dropped,
 * and nothing is accepted beyond the buffer's bound.
 * <p>
 * Subscribing goes over a second connection, rebuilt with backoff when it ends, and also when a
 * canary this node sends itself through Redis stops coming back (a subscription can die silently
 * while the socket looks fine). Subscription state lives on one Vert.x context, so joins and leaves
 * from any event loop are applied in one order against the rooms' current membership.
 * <p>
 * A history room's messages go through {@link RedisHistory}'s script, which stores, numbers and
 * publishes each one; every node, the publisher's own included, delivers them as they come back on
 * the room's channel, through {@link RoomStreams} on the same context, which keeps them in offset
 * order and reads what it missed from the history.
 */
public final class RedisBus implements Bus {
    private static final Logger LOG = Logger.getLogger(RedisBus.class);
    private static final int SUBSCRIBE_BATCH = 256;
    private static final String CANARY = "canary";

    private final ClusterConfig config;
    private final LocalNode local;
    private final String self;
    private final Vertx vertx;
    private final Context context;
    private final RedisDialect dialect;
    private final Redis pubClient;
    private final Redis subClient;
    private final String roomPrefix;
    private final String controlChannel;
    private final String canaryChannel;
    private final String retainedKey;
    private final CompletableFuture<Void> retainedLoaded = new CompletableFuture<>();
    private final Function<String, HistorySpec> histories;
    private final RedisHistory history;
    private final String publishCommand;
    /** History rooms served here; confined to the context. */
    private final RoomStreams streams;

    // Publishing side, guarded by this.
    private RedisConnection pub;
    private boolean flushPending;
    /** The publisher connection whose first history publish went as EVAL, loading the script. */
    private RedisConnection scriptLoadedOn;
    private final ArrayDeque<Pending> outbox = new ArrayDeque<>();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private long heldBytes;
    private long sequence;

    // Subscribing side, confined to the context.
    private volatile RedisConnection sub;
    private final Set<String> wanted = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();
    /** Joins waiting for their room's subscription to be confirmed, each with its own deadline. */
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final Map<String, Map<String, Seen>> lastSeqByChannel = new HashMap<>();
    /** The time of the last canary tick: when an origin was last seen, without a clock read per message. */
    private long tickedAt = System.currentTimeMillis();
    private long nextDedupSweep;
    /** Written on the context only; volatile for the gauge. */
    private volatile int dedupEntries;
    private long canarySentAt;
    private long canarySeq = -1;
    private long lastCanarySeen;
    private volatile long canaryRoundTrip = -1;

    private long pubBackoff;
    private long subBackoff;
    private long canaryTimer = -1;
    private volatile boolean stopped;
    private final BusMetrics metrics;

    /** The last sequence number seen from one origin on one channel, and when (for pruning). */
    private static final class Seen {
        long seq;
        long at;
    }

    /** A command accepted for Redis (a publish, or storing a retained control command), in order. */
    private static final class Pending {
        Request request;
        final int size;
        RedisConnection sentOn;
        long sentAt;
        boolean acked;
        /** A history publish waiting for its offset (the script's reply); null once answered or for others. */
        UniEmitter<? super Long> offsetWaiter;
        /** Whether the waiter wants the offset even when the message is held first. */
        boolean awaitOffset;
        /** For a history publish: the same script call as EVAL, for when Redis lost the script. */
        Supplier<Request> loadingScript;

        Pending(Request request, int size) {
            this.request = request;
            this.size = size;
        }
    }

    /** A join waiting for its room's subscription; {@code done} gets null when confirmed, else the failure. */
    private static final class Waiter {
        final Consumer<Throwable> done;
        long timer;

        Waiter(Consumer<Throwable> done) {
            this.done = done;
        }
    }

    public RedisBus(ClusterConfig config, LocalNode local, NodeIdentity node, Vertx vertx, BusMetrics metrics,
            Function<String, HistorySpec> histories) {
        this.config = config;
        this.local = local;
        this.self = node.instanceId();
        this.vertx = vertx;
        this.metrics = metrics;
        this.context = vertx.getOrCreateContext();
        this.dialect = config.redisMode() == ClusterConfig.RedisMode.CLUSTER ? RedisDialect.SHARDED : RedisDialect.CLASSIC;
        List<String> urls = config.redisUrl().orElseThrow();
        this.pubClient = Redis.createClient(vertx, options(urls, new NetClientOptions().setTcpKeepAlive(true)));
        // A subscription carries a canary every canary-interval: silence longer than the timeout
        // means a dead socket even when no FIN or RST ever arrives.
        this.subClient = Redis.createClient(vertx, options(urls, new NetClientOptions().setTcpKeepAlive(true)
                .setReadIdleTimeout((int) Math.max(1, config.canaryTimeout().toSeconds()))));
        String prefix = config.channelPrefix();
        this.roomPrefix = prefix + "room:";
        this.controlChannel = prefix + "control";
        this.canaryChannel = prefix + "canary:" + self;
        this.retainedKey = prefix + "retained";
        this.histories = histories;
        this.history = new RedisHistory(pubClient, context, prefix, self);
        this.publishCommand = dialect == RedisDialect.SHARDED ? "SPUBLISH" : "PUBLISH";
        this.streams = new RoomStreams(history, local, vertx, this::releaseIfUnused);
        this.pubBackoff = config.reconnectMin().toMillis();
        this.subBackoff = pubBackoff;
        metrics.register(this);
    }

    private RedisOptions options(List<String> urls, NetClientOptions net) {
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
            lastCanarySeen = System.currentTimeMillis();
            connectPublisher();
            connectSubscriber();
            canaryTimer = vertx.setPeriodic(config.canaryInterval().toMillis(), id -> canaryTick());
        });
    }

    public void stop() {
        stopped = true;
        context.runOnContext(v -> {
            if (canaryTimer >= 0) {
                vertx.cancelTimer(canaryTimer);
            }
            RedisConnection p;
            synchronized (this) {
                p = pub;
                pub = null;
            }
            if (p != null) {
                p.close();
            }
            if (sub != null) {
                sub.close();
                sub = null;
            }
            pubClient.close();
            subClient.close();
        });
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public Uni<Long> publish(RoomMessage message, boolean awaitOffset) {
        HistorySpec spec = histories.apply(message.room());
        if (spec != null && ServerFrames.isMessage(message.frame())) {
            return Uni.createFrom().emitter(emitter -> enqueueHistory(message, spec, emitter, awaitOffset));
        }
        // other frames of a history room (presence events) are not numbered, but share its channel
        String channel = spec != null ? history.channel(message.room()) : roomPrefix + message.room();
        if (enqueue(channel, message.ts(), message.frame()) < 0) {
            return Uni.createFrom().failure(new BusUnavailableException("the other nodes are unreachable and the hold-back buffer is full"));
        }
        local.deliver(message.room(), message.frame(), message.ts(), false);
        return Uni.createFrom().item(0L);
    }

    /**
     * A history message goes to Redis as the script that stores, numbers and publishes it, held like
     * any publish while Redis is away. It is delivered here when it comes back on the channel. The
     * publisher hears of the offset when the message went out at once (or when it asked to wait).
     */
    private void enqueueHistory(RoomMessage message, HistorySpec spec, UniEmitter<? super Long> emitter, boolean awaitOffset) {
        boolean held = false;
        synchronized (this) {
            long seq = sequence + 1;
            // A cluster connection spans every master and cannot tell which hold the script: there
            // an EVALSHA refused on one master while a later one ran after another node loaded the
            // script would store them out of order. So in cluster mode the script always goes as EVAL.
            boolean sharded = dialect == RedisDialect.SHARDED;
            Pending pending = new Pending(history.publish(message, spec, publishCommand, seq, sharded),
                    message.frame().length() + 64);
            if (!sharded) {
                pending.loadingScript = () -> history.publish(message, spec, publishCommand, seq, true);
            }
            // set before it is sent: the acknowledgement may run within the send, on this thread
            pending.offsetWaiter = emitter;
            pending.awaitOffset = awaitOffset;
            if (!enqueuePending(pending)) {
                emitter.fail(new BusUnavailableException("the other nodes are unreachable and the hold-back buffer is full"));
                return;
            }
            sequence++;
            if (pending.sentOn == null && !awaitOffset) {
                pending.offsetWaiter = null;
                held = true;
            }
        }
        if (held) {
            emitter.complete(0L);
        }
    }

    @Override
    public Uni<Void> broadcast(ControlCommand command) {
        String encoded = command.encode();
        synchronized (this) {
            if (command.retained()) {
                // Stored first, on the same ordered connection, so a node that loads the retained
                // commands after seeing this one published finds it. Each field carries its own
                // expiry; the key lives as long as its longest-lived field.
                long ttlSeconds = Math.max(1, (command.expiresAt() - System.currentTimeMillis()) / 1000 + 1);
                if (!enqueueRequest(Request.cmd(Command.HSET).arg(retainedKey).arg(command.key()).arg(encoded), encoded.length())
                        || !enqueueRequest(Request.cmd(Command.EXPIRE).arg(retainedKey).arg(ttlSeconds).arg("NX"), 16)
                        || !enqueueRequest(Request.cmd(Command.EXPIRE).arg(retainedKey).arg(ttlSeconds).arg("GT"), 16)) {
                    return unavailable();
                }
            }
            if (enqueue(controlChannel, System.currentTimeMillis(), encoded) < 0) {
                return unavailable();
            }
        }
        local.execute(command);
        return Uni.createFrom().voidItem();
    }

    private static Uni<Void> unavailable() {
        return Uni.createFrom().failure(new BusUnavailableException("the other nodes are unreachable and the hold-back buffer is full"));
    }

    /** Completes once the retained commands were loaded from Redis for the first time. */
    public CompletableFuture<Void> retainedLoaded() {
        return retainedLoaded;
    }

    /** Carries out every stored command that has not expired; drops the expired ones. */
    private void loadRetained() {
        pubClient.send(Request.cmd(Command.HGETALL).arg(retainedKey)).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("could not load retained commands: %s", ar.cause().getMessage());
                return;
            }
            long now = System.currentTimeMillis();
            Response all = ar.result();
            int applied = 0;
            for (String field : all == null ? Set.<String> of() : all.getKeys()) {
                ControlCommand command = ControlCommand.decode(all.get(field).toString());
                if (command == null || command.expiresAt() < now) {
                    pubClient.send(Request.cmd(Command.HDEL).arg(retainedKey).arg(field)).onFailure(e -> {
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
            retainedLoaded.complete(null);
        });
    }

    /**
     * Accepts a body for a channel: sent now when possible, otherwise held.
     *
     * @return the envelope's sequence number, or -1 when the hold-back buffer is full
     */
    private synchronized long enqueue(String channel, long ts, String body) {
        Buffer payload = new Envelope(self, sequence + 1, ts, body).encode();
        if (!enqueueRequest(Request.cmd(dialect.publish).arg(channel).arg(payload), payload.length())) {
            return -1;
        }
        return ++sequence;
    }

    private boolean enqueueRequest(Request request, int size) {
        return enqueuePending(new Pending(request, size));
    }

    /** Sends the command at once when it has a connection, else holds it; false when the buffer is full. */
    private synchronized boolean enqueuePending(Pending pending) {
        if (outbox.size() + inFlight.size() >= config.holdBackMessages() || heldBytes + pending.size > config.holdBackBytes()) {
            metrics.publishRefused();
            return false;
        }
        heldBytes += pending.size;
        if (canSendLocked() && outbox.isEmpty()) {
            sendLocked(pending);
        } else {
            outbox.add(pending);
        }
        return true;
    }

    private boolean canSendLocked() {
        return pub != null && !flushPending && inFlight.size() < config.maxInFlight();
    }

    private void sendLocked(Pending pending) {
        RedisConnection connection = pub;
        if (pending.loadingScript != null && scriptLoadedOn != connection) {
            // the first history publish on a connection loads the script, so a Redis restarted or
            // failed over since never refuses the publishes pipelined behind it
            pending.request = pending.loadingScript.get();
            scriptLoadedOn = connection;
        }
        pending.sentOn = connection;
        pending.sentAt = System.currentTimeMillis();
        inFlight.add(pending);
        transmit(pending, connection);
    }

    private void transmit(Pending pending, RedisConnection connection) {
        Request request = pending.request;
        connection.send(request).onComplete(ar -> acknowledged(pending, request, connection, ar));
    }

    private void acknowledged(Pending pending, Request request, RedisConnection connection, AsyncResult<Response> ar) {
        RedisConnection broken = null;
        UniEmitter<? super Long> waiter = null;
        synchronized (this) {
            if (pending.sentOn != connection || pending.acked) {
                return; // already put back into the outbox when its connection was lost, or answered by a copy
            }
            if (ar.failed() && request != pending.request) {
                return; // a copy sent since as EVAL answers for it
            }
            if (ar.succeeded()) {
                pending.acked = true;
                waiter = pending.offsetWaiter;
                pending.offsetWaiter = null;
                while (!inFlight.isEmpty() && inFlight.peek().acked) {
                    heldBytes -= inFlight.poll().size;
                }
                drainLocked();
            } else if (pub == connection && pending.loadingScript != null && LuaScript.missing(ar.cause())) {
                resendLoadingScript(connection);
            } else if (pub == connection) {
                // Redis refused a command on a live connection: start over on a fresh one, resending.
                LOG.warnf("Redis refused a publish (%s); reconnecting the publisher", ar.cause().getMessage());
                metrics.publishFailed();
                broken = connection;
            }
        }
        if (broken != null) {
            // not just closed: its end handler may come too late, and a cluster connection closed twice throws
            publisherLost(broken);
        }
        if (waiter != null) {
            // the script's reply: [epoch, offset]; offset 0 for a resent copy already stored
            Response reply = ar.result();
            waiter.complete(reply != null && reply.size() > 1 ? reply.get(1).toLong() : 0L);
        }
    }

    /**
     * Redis lost the history script while connected ({@code SCRIPT FLUSH}), so the history publishes
     * sent after the one it refused may have been refused too. Every history publish not
     * answered yet is sent again at once, in order, on the same connection, as EVAL, which loads the
     * script: one round trip, and each Redis still receives a room's messages in their order. A copy
     * of one that had gone through is recognised by its sequence number and not stored twice.
     */
    private void resendLoadingScript(RedisConnection connection) {
        int resent = 0;
        // a copy failed at once (a closed connection) puts everything back in the outbox, in the loop
        for (Pending pending : new ArrayList<>(inFlight)) {
            if (pub != connection) {
                break;
            }
            if (!pending.acked && pending.loadingScript != null && pending.sentOn == connection) {
                pending.request = pending.loadingScript.get();
                transmit(pending, connection);
                resent++;
            }
        }
        LOG.infof("Redis does not hold the history script any more (SCRIPT FLUSH?); resent %d publishes with it", resent);
    }

    private void drainLocked() {
        while (!outbox.isEmpty() && canSendLocked()) {
            sendLocked(outbox.poll());
        }
    }

    private void connectPublisher() {
        if (stopped) {
            return;
        }
        pubClient.connect().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("Redis publisher connect failed: %s", ar.cause().getMessage());
                pubBackoff = retry(this::connectPublisher, pubBackoff);
                return;
            }
            RedisConnection connection = ar.result();
            connection.exceptionHandler(e -> publisherLost(connection));
            connection.endHandler(v -> publisherLost(connection));
            boolean held;
            synchronized (this) {
                pub = connection;
                held = !outbox.isEmpty();
                flushPending = held;
            }
            pubBackoff = config.reconnectMin().toMillis();
            LOG.infof("Redis publisher connected%s", held ? "; sending held messages after the flush delay" : "");
            if (held) {
                // Give the other nodes time to re-subscribe, so the held messages reach them.
                vertx.setTimer(config.flushDelay().toMillis(), id -> {
                    synchronized (this) {
                        // only for this connection: one lost since has a newer timer of its own
                        if (pub == connection) {
                            flushPending = false;
                            drainLocked();
                        }
                    }
                });
            }
        });
    }

    private void publisherLost(RedisConnection connection) {
        List<UniEmitter<? super Long>> heldNow = new ArrayList<>();
        synchronized (this) {
            if (pub != connection) {
                return;
            }
            pub = null;
            flushPending = false;
            // Unacknowledged messages go back in front of the outbox, in their order.
            for (Iterator<Pending> it = inFlight.descendingIterator(); it.hasNext();) {
                Pending pending = it.next();
                if (!pending.acked) {
                    pending.sentOn = null;
                    outbox.addFirst(pending);
                    if (pending.offsetWaiter != null && !pending.awaitOffset) {
                        // accepted and held now: the publisher is answered without the offset
                        heldNow.add(pending.offsetWaiter);
                        pending.offsetWaiter = null;
                    }
                } else {
                    heldBytes -= pending.size;
                }
            }
            inFlight.clear();
        }
        heldNow.forEach(waiter -> waiter.complete(0L));
        LOG.warn("Redis publisher connection lost; holding publishes until it is back");
        // the reconnect first: a close that throws must not leave the publisher down for good
        context.runOnContext(v -> pubBackoff = retry(this::connectPublisher, pubBackoff));
        connection.close();
    }

    // ---------------------------------------------------------------- subscribing

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
                awaitSubscribed(channel, failure -> {
                    if (failure == null) {
                        emitter.complete(null);
                    } else {
                        emitter.fail(failure);
                    }
                });
            } else {
                unwant(channel);
                emitter.complete(null);
            }
        }));
    }

    @Override
    public void joinHistory(HistoryJoin join) {
        context.runOnContext(v -> {
            streams.open(join);
            awaitSubscribed(history.channel(join.room()), failure -> {
                if (failure == null) {
                    streams.join(join);
                } else {
                    streams.withdraw(join, failure.getMessage());
                }
            });
        });
    }

    /** A history room with neither members nor pending joins here is let go. */
    private void releaseIfUnused(String room) {
        if (!local.hasMembers(room) && !streams.wants(room)) {
            unwant(history.channel(room));
            streams.release(room);
        }
    }

    /**
     * Subscribes to the channel if needed and completes the emitter once Redis confirmed the
     * subscription; fails it with {@link BusUnavailableException} when that takes longer than
     * {@code subscribe-timeout}, even across a rebuilt subscriber connection (PROTOCOL section 7).
     */
    private void awaitSubscribed(String channel, Consumer<Throwable> done) {
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

    private void unwant(String channel) {
        if (wanted.remove(channel)) {
            confirmed.remove(channel);
            forgetChannel(channel);
            if (sub != null) {
                sub.send(Request.cmd(dialect.unsubscribe).arg(channel));
            }
        }
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

    private void connectSubscriber() {
        if (stopped) {
            return;
        }
        subClient.connect().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("Redis subscriber connect failed: %s", ar.cause().getMessage());
                subBackoff = retry(this::connectSubscriber, subBackoff);
                return;
            }
            RedisConnection connection = ar.result();
            connection.handler(this::onPush);
            connection.exceptionHandler(e -> subscriberLost(connection, "error: " + e.getMessage()));
            connection.endHandler(v -> subscriberLost(connection, "connection ended"));
            sub = connection;
            subBackoff = config.reconnectMin().toMillis();
            lastCanarySeen = System.currentTimeMillis();
            List<String> channels = new ArrayList<>(wanted.size() + 2);
            channels.add(controlChannel);
            channels.add(canaryChannel);
            channels.addAll(wanted);
            subscribe(channels);
            // Commands retained while this node was away (or before it started) apply now.
            loadRetained();
            metrics.resubscribed();
            LOG.infof("Redis subscriber connected; subscribed to %d rooms", wanted.size());
        });
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

    private void subscriberLost(RedisConnection connection, String why) {
        if (sub != connection) {
            return;
        }
        sub = null;
        confirmed.clear();
        lastSeqByChannel.clear();
        dedupEntries = 0;
        // Waiting joins stay: the rebuilt subscription may still be confirmed within their deadline.
        LOG.warnf("Redis subscription lost (%s); re-subscribing", why);
        connection.close();
        subBackoff = retry(this::connectSubscriber, subBackoff);
    }

    private void onPush(Response push) {
        if (push.type() == ResponseType.ERROR) {
            // e.g. MOVED for a sharded subscribe after a slot migration: rebuild the subscription.
            LOG.warnf("Redis subscription error: %s", push);
            if (sub != null) {
                subscriberLost(sub, push.toString());
            }
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
            if (channel.equals(canaryChannel) && envelope.seq() == canarySeq) {
                long now = System.currentTimeMillis();
                lastCanarySeen = now;
                canaryRoundTrip = now - canarySentAt;
                metrics.canaryRoundTrip(canaryRoundTrip);
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
            ControlCommand command = ControlCommand.decode(envelope.body());
            if (command != null) {
                local.execute(command);
            }
        } else if (channel.startsWith(roomPrefix)) {
            String historyRoom = history.room(channel);
            local.deliver(historyRoom != null ? historyRoom : channel.substring(roomPrefix.length()), envelope.body(),
                    envelope.ts(), true);
        }
    }

    // ---------------------------------------------------------------- canary

    private void canaryTick() {
        long now = System.currentTimeMillis();
        tickedAt = now;
        pruneDedup(now);
        boolean publisherUp;
        RedisConnection stalled = null;
        synchronized (this) {
            publisherUp = pub != null && !flushPending;
            Pending oldest = inFlight.peek();
            if (publisherUp && oldest != null && now - oldest.sentAt > config.canaryTimeout().toMillis()) {
                // Redis stopped acknowledging on a socket that looks open: resend on a new one.
                stalled = pub;
            }
        }
        if (stalled != null) {
            publisherLost(stalled);
            return;
        }
        if (sub != null && publisherUp && canarySeq >= 0 && now - lastCanarySeen > config.canaryTimeout().toMillis()) {
            metrics.canaryMissed();
            subscriberLost(sub, "no canary for " + (now - lastCanarySeen) + " ms");
            return;
        }
        if (sub != null && publisherUp) {
            long seq = enqueue(canaryChannel, now, CANARY);
            if (seq >= 0) {
                canarySeq = seq;
                canarySentAt = now;
            }
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
     * times per window, on the subscription's context.
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

    /** Origins remembered across channels for dropping resent copies (a gauge). */
    int dedupEntries() {
        return dedupEntries;
    }

    // ---------------------------------------------------------------- shared

    /** Schedules a reconnect with jitter; returns the next, doubled delay. */
    private long retry(Runnable reconnect, long delay) {
        if (!stopped) {
            long jittered = delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
            vertx.setTimer(Math.max(1, jittered), id -> context.runOnContext(v -> reconnect.run()));
        }
        return Math.min(delay * 2, config.reconnectMax().toMillis());
    }

    @Override
    public BusStatus status() {
        int held;
        boolean publisherUp;
        synchronized (this) {
            held = outbox.size() + inFlight.size();
            publisherUp = pub != null;
        }
        return new BusStatus(dialect.engine, publisherUp && sub != null, held, canaryRoundTrip);
    }
}
