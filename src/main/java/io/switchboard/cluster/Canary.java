package io.switchboard.cluster;

import io.vertx.core.Vertx;

/**
 * Every {@code canary-interval} this node publishes a canary to a channel only it subscribes to. A
 * subscription can die silently while its socket looks fine: when the canary has not come back for
 * {@code canary-timeout}, the subscriber connection is rebuilt. Each tick also lets the publisher
 * give up a connection on which Redis stopped acknowledging, and drives the subscriber's pruning of
 * old origins. The last round trip is reported in the bus status.
 * <p>
 * Thread discipline: confined to the engine's context (the tick is a periodic timer set on it, and
 * the subscriber reports on it), except the last round trip, volatile for the status.
 */
final class Canary {
    private static final String BODY = "canary";

    private final ClusterConfig config;
    private final Vertx vertx;
    private final RedisPublisher publisher;
    private final BusMetrics metrics;
    private final String channel;

    private long sentAt;
    private long seq = -1;
    private long lastSeen;
    private volatile long roundTrip = -1;
    private long timer = -1;

    Canary(ClusterConfig config, Vertx vertx, RedisPublisher publisher, BusMetrics metrics, String self) {
        this.config = config;
        this.vertx = vertx;
        this.publisher = publisher;
        this.metrics = metrics;
        this.channel = config.channelPrefix() + "canary:" + self;
    }

    String channel() {
        return channel;
    }

    /** Starts ticking; on the context. */
    void start(RedisSubscriber subscriber) {
        lastSeen = System.currentTimeMillis();
        timer = vertx.setPeriodic(config.canaryInterval().toMillis(), id -> tick(subscriber));
    }

    /** On the context. */
    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** A subscription was (re)built: the timeout counts from now. */
    void subscribed() {
        lastSeen = System.currentTimeMillis();
    }

    /** One of this node's own envelopes came back on the canary channel. */
    void received(long envelopeSeq) {
        if (envelopeSeq == seq) {
            long now = System.currentTimeMillis();
            lastSeen = now;
            roundTrip = now - sentAt;
            metrics.canaryRoundTrip(roundTrip);
        }
    }

    /** The last canary's round trip through Redis in ms, or -1 before the first. */
    long roundTrip() {
        return roundTrip;
    }

    private void tick(RedisSubscriber subscriber) {
        long now = System.currentTimeMillis();
        subscriber.tick(now);
        // only while publishing works: a canary that cannot be sent says nothing about the subscription
        boolean publisherUp = publisher.sendingNow(now);
        if (subscriber.connected() && publisherUp && seq >= 0 && now - lastSeen > config.canaryTimeout().toMillis()) {
            metrics.canaryMissed();
            subscriber.lost("no canary for " + (now - lastSeen) + " ms");
            return;
        }
        if (subscriber.connected() && publisherUp) {
            long sent = publisher.publish(channel, now, BODY);
            if (sent >= 0) {
                seq = sent;
                sentAt = now;
            }
        }
    }
}
