package io.switchboard.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The publishing half of the Redis engine: one dedicated connection, so this node's commands reach
 * Redis in the order they were accepted, and the hold-back buffer in front of it.
 * <p>
 * Every accepted command (a publish, a history script, the storing of a retained control command)
 * counts against the buffer's bounds until Redis acknowledges it: {@code held} waits for a
 * connection, or for the flush delay after one came back; {@code inFlight} was sent and waits for
 * its reply. When the connection drops, what was in flight goes back to the front of {@code held},
 * in order, and is sent again once a new connection is up; receivers drop the copies by origin
 * sequence (the history script by the sequence it stores). Nothing is accepted beyond the bounds.
 * Held commands live in this node's memory: they are lost if the node stops or dies first.
 * <p>
 * A history publish also names the publish to the same room it follows, while that one is not
 * acknowledged, and the script refuses it ({@code ORDER}) until that one is stored. In cluster mode
 * the Redis client retries a command refused {@code CLUSTERDOWN} or {@code TRYAGAIN} on a timer of
 * its own, so commands can reach Redis in another order than they were sent; a refused one starts
 * over on a fresh connection, resending in order. What is resent first for a room follows nothing
 * (what it followed was acknowledged), so a history Redis lost since cannot refuse it.
 * <p>
 * Thread discipline: commands are accepted on any event loop and replies arrive on the
 * connection's context, so every mutable field is guarded by this object's monitor. Connection
 * attempts start on the engine's context.
 */
final class RedisPublisher {
    private static final Logger LOG = Logger.getLogger(RedisPublisher.class);

    private final ClusterConfig config;
    private final Redis client;
    private final Vertx vertx;
    private final Context context;
    private final BusMetrics metrics;
    private final String self;
    private final Command publishCommand;
    private final boolean sharded;

    // Guarded by this.
    private RedisConnection connection;
    /** A new connection waits out the flush delay before sending what was held. */
    private boolean flushPending;
    /** The connection whose first history publish went as EVAL, loading the script. */
    private RedisConnection scriptLoadedOn;
    private final ArrayDeque<Pending> held = new ArrayDeque<>();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    /** Per room channel, the last history publish accepted while it is not acknowledged. */
    private final Map<String, Pending> unacknowledgedByChannel = new HashMap<>();
    private long heldBytes;
    private long sequence;
    private final Backoff backoff;
    private boolean stopped;

    /** A command for Redis and the bytes it counts against the hold-back bound. */
    record Write(Request request, int size) {
    }

    /**
     * A script call for a sequence number, following the publish numbered {@code previous} (0:
     * none), by EVALSHA, or by EVAL when {@code loading} (which loads the script).
     */
    @FunctionalInterface
    interface Script {
        Request call(long seq, long previous, boolean loading);
    }

    /** A command accepted for Redis, in order. */
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
        /** For a history publish: its script, its room's channel, its sequence number and the one it follows. */
        Script script;
        String channel;
        long seq;
        long previous;

        Pending(Request request, int size) {
            this.request = request;
            this.size = size;
        }

        Pending(Script script, String channel, long seq, long previous, boolean loading, int size) {
            this(script.call(seq, previous, loading), size);
            this.script = script;
            this.channel = channel;
            this.seq = seq;
            this.previous = previous;
        }

        Request scriptCall(boolean loading) {
            return script.call(seq, previous, loading);
        }
    }

    RedisPublisher(ClusterConfig config, Redis client, Vertx vertx, Context context, BusMetrics metrics, String self,
            RedisDialect dialect) {
        this.config = config;
        this.client = client;
        this.vertx = vertx;
        this.context = context;
        this.metrics = metrics;
        this.self = self;
        this.publishCommand = dialect.publish;
        this.sharded = dialect == RedisDialect.SHARDED;
        this.backoff = new Backoff(config.reconnectMin(), config.reconnectMax());
    }

    /** Connects, on the engine's context; reconnects with backoff whenever the connection is lost, until {@link #stop}. */
    void start() {
        connect();
    }

    /** No reconnect from now on; the connection is closed and what is still held is dropped with it. */
    void stop() {
        RedisConnection c;
        synchronized (this) {
            stopped = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.close();
        }
    }

    /**
     * Accepts a body for a channel, in an envelope with this node's next sequence number: sent now
     * when possible, otherwise held.
     *
     * @return the envelope's sequence number, or -1 when the hold-back buffer is full
     */
    synchronized long publish(String channel, long ts, String body) {
        Buffer payload = new Envelope(self, sequence + 1, ts, body).encode();
        if (!accept(new Pending(Request.cmd(publishCommand).arg(channel).arg(payload), payload.length()))) {
            return -1;
        }
        return ++sequence;
    }

    /**
     * Like {@link #publish}, preceded by {@code first}: they go out before it, in order, with nothing
     * accepted in between.
     *
     * @return the publish's sequence number, or -1 when the buffer is full (commands of {@code first}
     *         accepted before that stay accepted)
     */
    synchronized long publish(List<Write> first, String channel, long ts, String body) {
        for (Write write : first) {
            if (!accept(new Pending(write.request(), write.size()))) {
                return -1;
            }
        }
        return publish(channel, ts, body);
    }

    /**
     * Accepts the script call for this node's next sequence number (a history publish, which stores
     * it to drop resent copies) and answers the emitter: with the offset in the script's reply, or at
     * once with 0 when the call is held and {@code awaitOffset} is false. Fails it with
     * {@link BusUnavailableException} when the buffer is full.
     */
    void publishScript(String channel, Script script, int size, UniEmitter<? super Long> emitter, boolean awaitOffset) {
        boolean heldNow = false;
        synchronized (this) {
            long seq = sequence + 1;
            Pending follows = unacknowledgedByChannel.get(channel);
            // A cluster connection spans every master and cannot tell which hold the script, so
            // every restart of a master would cost refused publishes and a resend: in cluster mode
            // the script always goes as EVAL.
            Pending pending = new Pending(script, channel, seq, follows == null ? 0 : follows.seq, sharded, size);
            // set before it is sent: the acknowledgement may run within the send, on this thread
            pending.offsetWaiter = emitter;
            pending.awaitOffset = awaitOffset;
            if (!accept(pending)) {
                emitter.fail(RedisBus.bufferFull());
                return;
            }
            if (!pending.acked) {
                unacknowledgedByChannel.put(channel, pending);
            }
            sequence++;
            if (pending.sentOn == null && !awaitOffset) {
                pending.offsetWaiter = null;
                heldNow = true;
            }
        }
        if (heldNow) {
            emitter.complete(0L);
        }
    }

    /**
     * Whether commands go out now: connected, and not waiting out a flush delay. When Redis has not
     * acknowledged the oldest command in flight for {@code canary-timeout} on a socket that looks
     * open, the connection is given up first (what was in flight is sent again on a new one) and
     * false returned.
     */
    boolean sendingNow(long now) {
        RedisConnection stalled;
        synchronized (this) {
            boolean up = connection != null && !flushPending;
            Pending oldest = inFlight.peek();
            if (!up || oldest == null || now - oldest.sentAt <= config.canaryTimeout().toMillis()) {
                return up;
            }
            stalled = connection;
        }
        lost(stalled);
        return false;
    }

    synchronized boolean connected() {
        return connection != null;
    }

    /** Commands accepted and not yet acknowledged by Redis. */
    synchronized int heldBack() {
        return held.size() + inFlight.size();
    }

    /** Sends the command at once when it has a connection, else holds it; false when the buffer is full. */
    private boolean accept(Pending pending) {
        if (held.size() + inFlight.size() >= config.holdBackMessages() || heldBytes + pending.size > config.holdBackBytes()) {
            metrics.publishRefused();
            return false;
        }
        heldBytes += pending.size;
        if (canSendLocked() && held.isEmpty()) {
            sendLocked(pending);
        } else {
            held.add(pending);
        }
        return true;
    }

    private boolean canSendLocked() {
        return connection != null && !flushPending && inFlight.size() < config.maxInFlight();
    }

    private void sendLocked(Pending pending) {
        RedisConnection sentOn = connection;
        if (pending.script != null && !sharded && scriptLoadedOn != sentOn) {
            // the first history publish on a connection loads the script, so a Redis restarted or
            // failed over since never refuses the publishes pipelined behind it
            pending.request = pending.scriptCall(true);
            scriptLoadedOn = sentOn;
        }
        pending.sentOn = sentOn;
        pending.sentAt = System.currentTimeMillis();
        inFlight.add(pending);
        transmit(pending, sentOn);
    }

    private void transmit(Pending pending, RedisConnection sentOn) {
        Request request = pending.request;
        sentOn.send(request).onComplete(ar -> acknowledged(pending, request, sentOn, ar));
    }

    private void acknowledged(Pending pending, Request request, RedisConnection sentOn, AsyncResult<Response> ar) {
        RedisConnection broken = null;
        UniEmitter<? super Long> waiter = null;
        synchronized (this) {
            if (pending.sentOn != sentOn || pending.acked) {
                return; // already put back into held when its connection was lost, or answered by a copy
            }
            if (ar.failed() && request != pending.request) {
                return; // a copy sent since as EVAL answers for it
            }
            if (ar.succeeded()) {
                pending.acked = true;
                if (pending.channel != null) {
                    unacknowledgedByChannel.remove(pending.channel, pending);
                }
                waiter = pending.offsetWaiter;
                pending.offsetWaiter = null;
                while (!inFlight.isEmpty() && inFlight.peek().acked) {
                    heldBytes -= inFlight.poll().size;
                }
                drainLocked();
            } else if (connection == sentOn && pending.script != null && !sharded && LuaScript.missing(ar.cause())) {
                resendLoadingScript(sentOn);
            } else if (connection == sentOn) {
                // Redis refused a command on a live connection (e.g. a history publish ORDER): start
                // over on a fresh one, resending in order.
                LOG.warnf("Redis refused a publish (%s); reconnecting the publisher", ar.cause().getMessage());
                metrics.publishFailed();
                broken = sentOn;
            }
        }
        if (broken != null) {
            // not just closed: its end handler may come too late, and a cluster connection closed twice throws
            lost(broken);
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
    private void resendLoadingScript(RedisConnection sentOn) {
        int resent = 0;
        // a copy failed at once (a closed connection) puts everything back in held, in the loop
        for (Pending pending : new ArrayList<>(inFlight)) {
            if (connection != sentOn) {
                break;
            }
            if (!pending.acked && pending.script != null && pending.sentOn == sentOn) {
                pending.request = pending.scriptCall(true);
                transmit(pending, sentOn);
                resent++;
            }
        }
        LOG.infof("Redis does not hold the history script any more (SCRIPT FLUSH?); resent %d publishes with it", resent);
    }

    private void drainLocked() {
        while (!held.isEmpty() && canSendLocked()) {
            sendLocked(held.poll());
        }
    }

    private void connect() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        client.connect().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("Redis publisher connect failed: %s", ar.cause().getMessage());
                reconnectLater();
                return;
            }
            RedisConnection connected = ar.result();
            connected.exceptionHandler(e -> lost(connected));
            connected.endHandler(v -> lost(connected));
            boolean holding;
            synchronized (this) {
                connection = connected;
                holding = !held.isEmpty();
                flushPending = holding;
                backoff.reset();
            }
            LOG.infof("Redis publisher connected%s", holding ? "; sending held messages after the flush delay" : "");
            if (holding) {
                // Give the other nodes time to re-subscribe, so the held messages reach them.
                vertx.setTimer(config.flushDelay().toMillis(), id -> {
                    synchronized (this) {
                        // only for this connection: one lost since has a newer timer of its own
                        if (connection == connected) {
                            flushPending = false;
                            drainLocked();
                        }
                    }
                });
            }
        });
    }

    private void lost(RedisConnection lostConnection) {
        List<UniEmitter<? super Long>> heldNow = new ArrayList<>();
        synchronized (this) {
            if (connection != lostConnection) {
                return;
            }
            connection = null;
            flushPending = false;
            // Unacknowledged commands go back in front of the held ones, in their order.
            for (Iterator<Pending> it = inFlight.descendingIterator(); it.hasNext();) {
                Pending pending = it.next();
                if (!pending.acked) {
                    pending.sentOn = null;
                    held.addFirst(pending);
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
            followNothingFirst();
        }
        heldNow.forEach(waiter -> waiter.complete(0L));
        LOG.warn("Redis publisher connection lost; holding publishes until it is back");
        // the reconnect first: a close that throws must not leave the publisher down for good
        reconnectLater();
        lostConnection.close();
    }

    /**
     * What is held first for each room follows a publish that was acknowledged: it is sent
     * following nothing, so a Redis that lost the room's history since (a new epoch) stores it.
     */
    private void followNothingFirst() {
        Set<String> seen = new HashSet<>();
        for (Pending pending : held) {
            if (pending.script != null && seen.add(pending.channel) && pending.previous != 0) {
                pending.previous = 0;
                pending.request = pending.scriptCall(sharded);
            }
        }
    }

    /** Schedules the next connection attempt on the engine's context, unless stopped. */
    private void reconnectLater() {
        long delay;
        synchronized (this) {
            if (stopped) {
                return;
            }
            delay = backoff.next();
        }
        vertx.setTimer(delay, id -> context.runOnContext(v -> connect()));
    }
}
