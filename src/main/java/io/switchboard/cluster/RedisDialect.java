package io.switchboard.cluster;

import io.vertx.redis.client.Command;

/**
 * The commands of classic and of sharded pub/sub. Sharded channels live on the shard that owns
 * their hash slot, so room traffic spreads over a Redis Cluster instead of being broadcast to every
 * Redis node; a sharded subscribe may name only channels of one slot, so it goes one channel at a time.
 */
enum RedisDialect {
    CLASSIC("redis", Command.PUBLISH, Command.SUBSCRIBE, Command.UNSUBSCRIBE, "message", "subscribe", "unsubscribe", true),
    SHARDED("redis-cluster", Command.SPUBLISH, Command.SSUBSCRIBE, Command.SUNSUBSCRIBE, "smessage", "ssubscribe",
            "sunsubscribe", false);

    final String engine;
    final Command publish;
    final Command subscribe;
    final Command unsubscribe;
    final String messageKind;
    final String subscribedKind;
    final String unsubscribedKind;
    final boolean batchSubscribe;

    RedisDialect(String engine, Command publish, Command subscribe, Command unsubscribe, String messageKind,
            String subscribedKind, String unsubscribedKind, boolean batchSubscribe) {
        this.engine = engine;
        this.publish = publish;
        this.subscribe = subscribe;
        this.unsubscribe = unsubscribe;
        this.messageKind = messageKind;
        this.subscribedKind = subscribedKind;
        this.unsubscribedKind = unsubscribedKind;
        this.batchSubscribe = batchSubscribe;
    }
}
