package io.switchboard.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "switchboard.drain")
public interface DrainConfig {
    /** Open connections are closed with 1001 spread over this window, so clients do not all reconnect at once. */
    @WithDefault("10s")
    Duration closeWindow();

    /** Upper bound on the whole drain: the process exits within it after SIGTERM. */
    @WithDefault("20s")
    Duration timeout();

    /** {@code Retry-After} sent with the 503 that refuses an upgrade during the drain. */
    @WithDefault("5s")
    Duration retryAfter();
}
