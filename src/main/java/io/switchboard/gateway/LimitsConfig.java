package io.switchboard.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "switchboard.limits")
public interface LimitsConfig {
    /** Open connections one {@code sub} may hold on this node; one more is refused with 429. */
    @WithDefault("10")
    int connectionsPerUser();

    /**
     * Largest client message (and server API body) in bytes; a larger one closes the connection with
     * 1009. Applied through {@code quarkus.websockets-next.server.max-message-size}.
     */
    @WithDefault("65536")
    int maxFrameBytes();
}
