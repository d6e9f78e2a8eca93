package io.switchboard.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "switchboard.api")
public interface ApiConfig {
    /** The role a token needs to use the server API (PROTOCOL section 6). */
    @WithDefault("service")
    String serviceRole();
}
