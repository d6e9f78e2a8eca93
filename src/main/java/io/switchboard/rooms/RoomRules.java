package io.switchboard.rooms;

import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Pure decision: (user, roles, room) to {@link RoomAccess}. No I/O and no state beyond the compiled
 * rules, so it can be tested exhaustively and called from any thread.
 */
@ApplicationScoped
public class RoomRules {
    private static final String ANY_ROLE = "*";

    private final List<CompiledRule> rules;

    @Inject
    public RoomRules(RoomsConfig config) {
        this(config.rules());
    }

    public RoomRules(List<RoomsConfig.Rule> rules) {
        this.rules = rules.stream().map(CompiledRule::of).toList();
    }

    public RoomAccess access(String sub, Set<String> roles, String room) {
        for (CompiledRule rule : rules) {
            if (rule.pattern.matches(room, null)) {
                if (rule.pattern.bindsSub() && !rule.pattern.matches(room, sub)) {
                    return RoomAccess.of(true, false, false, rule.publishRequiresMembership);
                }
                return RoomAccess.of(true, rule.join.permits(roles), rule.publish.permits(roles),
                        rule.publishRequiresMembership);
            }
        }
        return RoomAccess.NONE;
    }

    /** The presence of a room, from the first rule whose pattern matches it; {@code OFF} when none does. */
    public PresenceMode presence(String room) {
        for (CompiledRule rule : rules) {
            if (rule.pattern.matches(room, null)) {
                return rule.presence;
            }
        }
        return PresenceMode.OFF;
    }

    /**
     * The history of a room, from the first rule whose pattern matches it whoever asks (a
     * {@code {sub}} part matches any user), or null when the room has none.
     */
    public HistorySpec history(String room) {
        for (CompiledRule rule : rules) {
            if (rule.pattern.matches(room, null)) {
                return rule.history;
            }
        }
        return null;
    }

    private record CompiledRule(RoomPattern pattern, RoleSet join, RoleSet publish, boolean publishRequiresMembership,
            PresenceMode presence, HistorySpec history) {
        static CompiledRule of(RoomsConfig.Rule rule) {
            if (rule.historySize() < 0 || (rule.historySize() > 0 && rule.historyTtl().toSeconds() < 1)) {
                throw new IllegalArgumentException("room rule " + rule.pattern()
                        + ": history-size must be >= 0 and history-ttl at least 1s");
            }
            return new CompiledRule(RoomPattern.compile(rule.pattern()), RoleSet.of(rule.join()), RoleSet.of(rule.publish()),
                    rule.publishRequiresMembership(), PresenceMode.of(rule.presence(), rule.presenceEvents()),
                    rule.historySize() == 0 ? null : new HistorySpec(rule.historySize(), rule.historyTtl().toMillis()));
        }
    }

    private record RoleSet(boolean anyone, Set<String> roles) {
        static RoleSet of(List<String> configured) {
            List<String> roles = configured.stream().map(String::trim).filter(r -> !r.isEmpty()).toList();
            return new RoleSet(roles.contains(ANY_ROLE), Set.copyOf(roles));
        }

        boolean permits(Set<String> held) {
            if (anyone) {
                return true;
            }
            for (String role : held) {
                if (roles.contains(role)) {
                    return true;
                }
            }
            return false;
        }
    }
}
