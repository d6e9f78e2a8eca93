package io.switchboard.support;

import java.time.Duration;
import java.util.List;

import io.switchboard.rooms.RoomsConfig;

/** A room rule built in code for tests of the rules themselves; history off unless given. */
public record TestRule(String pattern, List<String> join, List<String> publish, boolean publishRequiresMembership,
        boolean presence, boolean presenceEvents, int historySize, Duration historyTtl) implements RoomsConfig.Rule {

    public TestRule(String pattern, List<String> join, List<String> publish, boolean publishRequiresMembership) {
        this(pattern, join, publish, publishRequiresMembership, false, false, 0, Duration.ofMinutes(5));
    }

    /** A rule anyone may join, with the given presence switches. */
    public static TestRule presence(String pattern, boolean presence, boolean presenceEvents) {
        return new TestRule(pattern, List.of("*"), List.of(), true, presence, presenceEvents, 0, Duration.ofMinutes(5));
    }
}
