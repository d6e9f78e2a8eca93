package io.switchboard.presence;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Node-wide presence settings (PROTOCOL section 9); which rooms keep presence is a room rule's choice. */
@ConfigMapping(prefix = "switchboard.presence")
public interface PresenceConfig {

    /**
     * How long a node that stops refreshing (it died) keeps its entries: its users drop out, and
     * their {@code parted} is sent, within this time. Nodes refresh every quarter of it.
     */
    @WithDefault("30s")
    Duration timeout();

    /**
     * How long a user whose last connection left stays listed (with 0 connections) before it is
     * gone; coming back within it (a reconnect to another node after a drain) sends no event.
     */
    @WithDefault("5s")
    Duration grace();
}
