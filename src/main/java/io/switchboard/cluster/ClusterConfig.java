package io.switchboard.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How nodes reach each other. Without a Redis URL the node runs alone (in-process bus). */
@ConfigMapping(prefix = "switchboard.cluster")
public interface ClusterConfig {

    /**
     * Redis to fan out through, e.g. {@code redis://10.0.0.5:6379}; for a Redis Cluster, one or
     * more seed nodes, comma-separated. Absent: single node, no Redis.
     */
    Optional<List<String>> redisUrl();

    /** {@code standalone} (PUBLISH/SUBSCRIBE) or {@code cluster} (sharded SPUBLISH/SSUBSCRIBE). */
    @WithDefault("standalone")
    RedisMode redisMode();

    /** Prefix of every channel name, so several deployments can share one Redis. */
    @WithDefault("switchboard:")
    String channelPrefix();

    /** Messages accepted but not yet handed to Redis (held while it is unreachable); more are refused. */
    @WithDefault("10000")
    int holdBackMessages();

    /** The same bound in bytes of envelope. */
    @WithDefault("16777216")
    long holdBackBytes();

    /** Publishes sent to Redis and not yet acknowledged. */
    @WithDefault("1000")
    int maxInFlight();

    /** First reconnect delay after Redis is lost; doubles up to {@code reconnect-max}. */
    @WithDefault("100ms")
    Duration reconnectMin();

    @WithDefault("2s")
    Duration reconnectMax();

    /**
     * After Redis comes back, how long held messages wait before they are sent, so that every other
     * node has re-subscribed and receives them. Keep it above {@code reconnect-max}.
     */
    @WithDefault("3s")
    Duration flushDelay();

    /** How often a canary goes through Redis back to this node. */
    @WithDefault("2s")
    Duration canaryInterval();

    /** A subscription that has not carried a canary for this long is deemed dead and rebuilt. */
    @WithDefault("7s")
    Duration canaryTimeout();

    /** How long a join waits for the room's subscription to be confirmed; after that it is refused {@code unavailable}. */
    @WithDefault("2s")
    Duration subscribeTimeout();

    /**
     * How long a node remembers another node's last sequence number on a room, to drop the copies that
     * node resends after its publisher reconnects; an origin silent on a room for longer is forgotten
     * (a copy resent later than this after the original would be delivered again).
     */
    @WithDefault("10m")
    Duration dedupWindow();

    enum RedisMode {
        STANDALONE,
        CLUSTER
    }
}
