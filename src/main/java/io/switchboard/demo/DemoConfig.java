package io.switchboard.demo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "switchboard.demo")
public interface DemoConfig {
    /** Serves the demo page at {@code /} (on in dev mode; off in prod unless set). */
    @WithDefault("false")
    boolean enabled();
}
