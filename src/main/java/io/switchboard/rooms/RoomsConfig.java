package io.switchboard.rooms;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Room rules, checked in order; the first rule whose pattern matches a room decides. A room no rule
 * matches cannot be joined or published to (deny by default).
 */
@ConfigMapping(prefix = "switchboard.rooms")
public interface RoomsConfig {

    List<Rule> rules();

    interface Rule {
        /**
         * Room-name pattern: {@code *} matches any run of room characters, {@code {sub}} matches only
         * the connecting user's own {@code sub}, anything else matches itself.
         */
        String pattern();

        /** Roles that may join; {@code *} means any authenticated user. Empty: nobody. */
        @WithDefault("")
        List<String> join();

        /** Roles that may publish; {@code *} means any authenticated user. Empty: nobody. */
        @WithDefault("")
        List<String> publish();

        /** Whether publishing needs membership of the room ({@code not_joined} otherwise). */
        @WithDefault("true")
        boolean publishRequiresMembership();

        /** Whether the rule's rooms keep presence: who is in the room, cluster-wide ({@code presence} op). */
        @WithDefault("false")
        boolean presence();

        /** Whether members also receive {@code joined} and {@code parted}; implies {@link #presence()}. */
        @WithDefault("false")
        boolean presenceEvents();

        /**
         * Messages kept per room for recovery (PROTOCOL section 8); {@code 0}: the rooms have no
         * history, no offsets and no recovery.
         */
        @WithDefault("0")
        int historySize();

        /** The longest a message is kept in a room's history; a history with nothing newer is dropped. */
        @WithDefault("5m")
        Duration historyTtl();
    }
}
