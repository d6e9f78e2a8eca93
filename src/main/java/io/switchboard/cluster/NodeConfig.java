package io.switchboard.cluster;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "switchboard.node")
public interface NodeConfig {
    /** Shown to clients in {@code welcome}; defaults to the HOSTNAME environment variable (the pod name). */
    Optional<String> name();
}
