package io.switchboard.gateway;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What one client may cost this node. Every limit's effect is listed in the README's "Limits and security". */
@ConfigMapping(prefix = "switchboard.limits")
public interface LimitsConfig {
    /** Open connections one {@code sub} may hold on this node; one more is refused with 429. */
    @WithDefault("10")
    int connectionsPerUser();

    /** Open connections on this node; one more is refused with 503. */
    @WithDefault("50000")
    int connectionsPerNode();

    /**
     * Largest client message (and server API body) in bytes; a larger one closes the connection with
     * 1009. Applied through {@code quarkus.websockets-next.server.max-message-size}.
     */
    @WithDefault("65536")
    int maxFrameBytes();

    /** Rooms one connection may be in; one more join is refused ({@code forbidden}). */
    @WithDefault("100")
    int roomsPerConnection();

    /** Frames a connection may send per second, sustained (token bucket refill rate). */
    @WithDefault("50")
    int framesPerSecond();

    /** Frames a connection may send in a burst (token bucket size). */
    @WithDefault("100")
    int frameBurst();

    /** {@code rate_limited} replies within {@code abuse-window} before the connection is closed with 4429. */
    @WithDefault("100")
    int rateLimitedBeforeClose();

    /** Bad frames ({@code bad_request}) within {@code abuse-window} before the connection is closed with 4400. */
    @WithDefault("20")
    int badFramesBeforeClose();

    /** The window the two abuse counters above count in. */
    @WithDefault("60s")
    Duration abuseWindow();

    /** Bytes queued for one connection and not yet written to its socket; more closes it with 1013. */
    @WithDefault("1048576")
    long outboundQueueBytes();

    /** Frames queued for one connection and not yet written; more closes it with 1013. */
    @WithDefault("1024")
    int outboundQueueFrames();

    /**
     * Bytes of room messages waiting for one event loop to write them to its members. Over half of it,
     * the node stops reading its clients until the loops are under a quarter; a message that would
     * pass it closes its members on that loop with 1013.
     */
    @WithDefault("8388608")
    long loopQueueBytes();
}
