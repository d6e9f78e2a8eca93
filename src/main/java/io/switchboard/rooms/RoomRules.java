package io.switchboard.rooms;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Pure decision: (user, roles, room) to {@link RoomAccess}. No I/O and no state beyond the compiled
 * rules, so it can be tested exhaustively and called from any thread.
 */
@ApplicationScoped
public class RoomRules {
    private static final String ANY_ROLE = "*";
    private static final String SUB = "{sub}";
    private static final String ROOM_CHARS = "[A-Za-z0-9:_\\-.@]";

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
            Matcher m = rule.pattern.matcher(room);
            if (m.matches()) {
                for (int g = 1; g <= m.groupCount(); g++) {
                    if (!m.group(g).equals(sub)) {
                        return new RoomAccess(true, false, false, rule.publishRequiresMembership);
                    }
                }
                return new RoomAccess(true, rule.join.permits(roles), rule.publish.permits(roles),
                        rule.publishRequiresMembership);
            }
        }
        return RoomAccess.NONE;
    }

    private record CompiledRule(Pattern pattern, RoleSet join, RoleSet publish, boolean publishRequiresMembership) {
        static CompiledRule of(RoomsConfig.Rule rule) {
            return new CompiledRule(compile(rule.pattern()), RoleSet.of(rule.join()), RoleSet.of(rule.publish()),
                    rule.publishRequiresMembership());
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

    /** Turns a rule pattern into an anchored regex; each {@code {sub}} becomes a capturing group. */
    static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            if (pattern.startsWith(SUB, i)) {
                regex.append('(').append(ROOM_CHARS).append("+)");
                i += SUB.length();
            } else if (pattern.charAt(i) == '*') {
                regex.append(ROOM_CHARS).append('*');
                i++;
            } else {
                int next = nextSpecial(pattern, i);
                regex.append(Pattern.quote(pattern.substring(i, next)));
                i = next;
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static int nextSpecial(String pattern, int from) {
        int star = pattern.indexOf('*', from);
        int sub = pattern.indexOf(SUB, from);
        int next = pattern.length();
        if (star >= 0) {
            next = star;
        }
        if (sub >= 0 && sub < next) {
            next = sub;
        }
        return next;
    }
}
