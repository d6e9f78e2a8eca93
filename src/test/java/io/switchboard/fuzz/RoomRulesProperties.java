package io.switchboard.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.switchboard.protocol.RoomNames;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.rooms.RoomRules;
import io.switchboard.rooms.RoomsConfig;
import io.switchboard.support.TestRule;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;

/**
 * Properties of {@link RoomRules} (PROTOCOL section 4, "Room rules: deny by default") against a
 * reference written here from the documentation of {@link RoomsConfig.Rule#pattern()}: {@code *}
 * matches any run of room characters, {@code {sub}} matches only the connecting user's own
 * {@code sub}, anything else matches itself; the first rule whose pattern matches the room decides.
 * <p>
 * "Matches" has two readings for a {@code {sub}} rule and the reference keeps both apart: the rule's
 * <em>shape</em> (a {@code {sub}} stands for any non-empty run of room characters) decides which rule
 * applies, so another user's personal room is matched and refused rather than handed to a later
 * rule; the rule grants only when the room is the pattern with the user's own {@code sub} written in.
 */
class RoomRulesProperties {
    private static final String ROOM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_-.@";
    /** Few characters, so that patterns, subs and rooms collide often. */
    private static final String DENSE = "ab:.";
    private static final Pattern ROOM_REGEX = Pattern.compile("[A-Za-z0-9:_\\-.@]{1,128}");
    private static final List<String> ROLES = List.of("user", "admin", "editor", "*", " user", "");

    // ---------------------------------------------------------------------------------------------
    // Properties
    // ---------------------------------------------------------------------------------------------

    @Property
    void accessNeverThrowsAndIsDeterministic(@ForAll("ruleLists") List<TestRule> rules, @ForAll("subs") String sub,
            @ForAll("roleSets") Set<String> roles, @ForAll("rooms") String room) {
        RoomRules subject = new RoomRules(List.copyOf(rules));
        RoomAccess first = access(subject, sub, roles, room);
        assertEquals(first, access(subject, sub, roles, room), "same rules, same answer");
        assertEquals(first, access(new RoomRules(List.copyOf(rules)), sub, roles, room), "a second instance agrees");
    }

    @Property
    void noMatchingPatternMeansNone(@ForAll("ruleLists") List<TestRule> rules, @ForAll("subs") String sub,
            @ForAll("roleSets") Set<String> roles, @ForAll("rooms") String room) {
        RoomAccess access = access(new RoomRules(List.copyOf(rules)), sub, roles, room);
        boolean anyShape = rules.stream().anyMatch(r -> Reference.shapeMatches(r.pattern(), room));
        if (!anyShape) {
            assertEquals(RoomAccess.NONE, access);
        } else {
            assertTrue(access.matched());
        }
        if (!access.matched()) {
            assertEquals(RoomAccess.NONE, access);
        }
    }

    /** Patterns of room characters and {@code *} only: exactly a glob over the room alphabet. */
    @Property
    void starPatternsAreGlobs(@ForAll("globRuleLists") List<TestRule> rules, @ForAll("subs") String sub,
            @ForAll("roleSets") Set<String> roles, @ForAll("rooms") String room) {
        assertEquals(Reference.access(rules, sub, roles, room), access(new RoomRules(List.copyOf(rules)), sub, roles, room));
    }

    /** A glob rule, with rooms built from the pattern so that most of them match. */
    @Property
    void starPatternsMatchTheRoomsTheyDescribe(@ForAll("globPatterns") String pattern, @ForAll("fillers") List<String> fill,
            @ForAll("roleSets") Set<String> roles) {
        String room = Reference.instantiate(pattern, fill, null);
        TestRule rule = new TestRule(pattern, List.of("*"), List.of("admin"), true);
        RoomAccess access = access(new RoomRules(List.of(rule)), "alice", roles, room);
        assertEquals(Reference.access(List.of(rule), "alice", roles, room), access);
        assertTrue(access.matched(), () -> pattern + " should match " + room);
        assertTrue(access.join());
    }

    /** Never a grant through a {@code {sub}} rule unless the room is the pattern with this user's sub written in. */
    @Property
    void subRulesNeverGrantAnotherUsersRoom(@ForAll("ruleLists") List<TestRule> rules, @ForAll("subs") String sub,
            @ForAll("roleSets") Set<String> roles, @ForAll("rooms") String room) {
        RoomAccess actual = access(new RoomRules(List.copyOf(rules)), sub, roles, room);
        RoomAccess expected = Reference.access(rules, sub, roles, room);
        assertEquals(expected.matched(), actual.matched(), "which rule applies");
        assertTrue(expected.join() || !actual.join(), () -> "join granted beyond the rules: " + actual);
        assertTrue(expected.publish() || !actual.publish(), () -> "publish granted beyond the rules: " + actual);
    }

    /** Someone else's personal room: matched, nothing granted, whatever the roles. */
    @Property
    void subRuleMatchedWithAnotherSubGrantsNothing(@ForAll("subPatterns") String pattern, @ForAll("subs") String owner,
            @ForAll("subs") String sub, @ForAll("fillers") List<String> fill, @ForAll("roleSets") Set<String> roles) {
        String room = Reference.instantiate(pattern, fill, owner);
        TestRule rule = new TestRule(pattern, List.of("*"), List.of("*"), false);
        RoomAccess access = access(new RoomRules(List.of(rule)), sub, roles, room);
        if (!Reference.grantMatches(pattern, sub, room)) {
            assertFalse(access.join() || access.publish(), () -> sub + " got " + access + " in " + room);
            assertEquals(Reference.shapeMatches(pattern, room), access.matched());
        }
    }

    /**
     * The owner of a personal room gets it: {@code dm:{sub}:*} is the glob {@code dm:<sub>:*} for that
     * user, whatever room characters (':' included) the sub and the star's run hold.
     */
    @Property
    void subRuleGrantsItsOwner(@ForAll("subPatterns") String pattern, @ForAll("subs") String sub,
            @ForAll("fillers") List<String> fill, @ForAll("roleSets") Set<String> roles) {
        String room = Reference.instantiate(pattern, fill, sub);
        TestRule rule = new TestRule(pattern, List.of("*"), List.of("*"), true);
        RoomAccess access = access(new RoomRules(List.of(rule)), sub, roles, room);
        assertEquals(Reference.access(List.of(rule), sub, roles, room), access,
                () -> "pattern " + pattern + ", sub " + sub + ", room " + room);
    }

    @Property
    void roomNamesAgreeWithTheDocumentedRegex(@ForAll("roomNameCandidates") String candidate) {
        assertEquals(ROOM_REGEX.matcher(candidate).matches(), RoomNames.isValid(candidate), candidate);
    }

    // ---------------------------------------------------------------------------------------------
    // Reference
    // ---------------------------------------------------------------------------------------------

    private static RoomAccess access(RoomRules rules, String sub, Set<String> roles, String room) {
        try {
            return rules.access(sub, roles, room);
        } catch (Throwable t) {
            throw new AssertionError("access(" + sub + ", " + roles + ", " + room + ") threw " + t, t);
        }
    }

    /** The documented semantics, by dynamic programming over pattern tokens. */
    static final class Reference {
        private static final int STAR = -1;
        private static final int PLUS = -2;

        static RoomAccess access(List<TestRule> rules, String sub, Set<String> roles, String room) {
            for (TestRule rule : rules) {
                if (shapeMatches(rule.pattern(), room)) {
                    boolean own = grantMatches(rule.pattern(), sub, room);
                    return new RoomAccess(true, own && permits(rule.join(), roles), own && permits(rule.publish(), roles),
                            rule.publishRequiresMembership());
                }
            }
            return RoomAccess.NONE;
        }

        static boolean permits(List<String> configured, Set<String> held) {
            List<String> roles = configured.stream().map(String::trim).filter(r -> !r.isEmpty()).toList();
            return roles.contains("*") || held.stream().anyMatch(roles::contains);
        }

        /** The pattern with each {@code {sub}} standing for one or more room characters. */
        static boolean shapeMatches(String pattern, String room) {
            return matches(tokens(pattern, null), room);
        }

        /** The pattern with this user's {@code sub} written in; a sub that is not a room name fits nowhere. */
        static boolean grantMatches(String pattern, String sub, String room) {
            List<Integer> tokens = tokens(pattern, sub);
            return tokens != null && matches(tokens, room);
        }

        /** Literal characters as themselves, {@code *} as STAR, {@code {sub}} as PLUS or as the sub's characters. */
        private static List<Integer> tokens(String pattern, String sub) {
            List<Integer> tokens = new ArrayList<>();
            int i = 0;
            while (i < pattern.length()) {
                if (pattern.startsWith("{sub}", i)) {
                    if (sub == null) {
                        tokens.add(PLUS);
                    } else if (sub.isEmpty() || !sub.chars().allMatch(c -> ROOM_CHARS.indexOf(c) >= 0)) {
                        return null;
                    } else {
                        sub.chars().forEach(tokens::add);
                    }
                    i += 5;
                } else {
                    tokens.add(pattern.charAt(i) == '*' ? STAR : (int) pattern.charAt(i));
                    i++;
                }
            }
            return tokens;
        }

        private static boolean matches(List<Integer> tokens, String room) {
            int n = room.length();
            // reach[j]: the tokens so far can consume exactly room[0, j)
            boolean[] reach = new boolean[n + 1];
            reach[0] = true;
            for (int token : tokens) {
                boolean[] next = new boolean[n + 1];
                for (int j = 0; j <= n; j++) {
                    if (!reach[j]) {
                        continue;
                    }
                    if (token == STAR || token == PLUS) {
                        if (token == STAR) {
                            next[j] = true;
                        }
                        for (int k = j; k < n && ROOM_CHARS.indexOf(room.charAt(k)) >= 0; k++) {
                            next[k + 1] = true;
                        }
                    } else if (j < n && room.charAt(j) == token) {
                        next[j + 1] = true;
                    }
                }
                reach = next;
            }
            return reach[n];
        }

        /** A room the pattern describes: stars filled from {@code fill}, {@code {sub}} replaced by {@code sub} (or a filler). */
        static String instantiate(String pattern, List<String> fill, String sub) {
            StringBuilder room = new StringBuilder();
            int f = 0;
            int i = 0;
            while (i < pattern.length()) {
                if (pattern.startsWith("{sub}", i)) {
                    String filler = fill.isEmpty() ? "a" : fill.get(f++ % fill.size());
                    room.append(sub != null ? sub : filler.isEmpty() ? "a" : filler);
                    i += 5;
                } else if (pattern.charAt(i) == '*') {
                    room.append(fill.isEmpty() ? "" : fill.get(f++ % fill.size()));
                    i++;
                } else {
                    room.append(pattern.charAt(i++));
                }
            }
            return room.toString();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Generators
    // ---------------------------------------------------------------------------------------------

    /** Pattern pieces: dense room characters, any room character, {@code *}, {@code {sub}}, and characters a regex would not take literally. */
    private Arbitrary<String> patternPieces(boolean withSub) {
        List<Tuple.Tuple2<Integer, Arbitrary<String>>> pieces = new ArrayList<>(List.of(
                Tuple.of(6, Arbitraries.strings().withChars(DENSE).ofMinLength(1).ofMaxLength(3)),
                Tuple.of(2, Arbitraries.strings().withChars(ROOM_CHARS).ofMinLength(1).ofMaxLength(4)),
                Tuple.of(4, Arbitraries.just("*")),
                Tuple.of(1, Arbitraries.of("\\", "\\Q", "\\E", "(", ")", "[", "]", "+", "?", "$", "^", "|", "{", "}", "sub", "{su", "b}",
                        "{SUB}", " ", "é"))));
        if (withSub) {
            pieces.add(Tuple.of(3, Arbitraries.just("{sub}")));
        }
        return Arbitraries.frequencyOf(pieces);
    }

    private Arbitrary<String> patterns(boolean withSub) {
        return patternPieces(withSub).list().ofMinSize(0).ofMaxSize(6).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> globPatterns() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().withChars(DENSE + "*").ofMaxLength(8)),
                Tuple.of(1, Arbitraries.of("*", "**", "chat:*", "*:*", "a*b*a", "*.*.*", "news.*", "@*@")));
    }

    @Provide
    Arbitrary<String> subPatterns() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(Arbitraries.strings().withChars(DENSE + "*").ofMaxLength(4),
                        Arbitraries.strings().withChars(DENSE + "*").ofMaxLength(4), Arbitraries.of("{sub}", "{sub}{sub}", "{sub}:{sub}"))
                        .as((a, b, s) -> a + s + b)),
                Tuple.of(1, Arbitraries.of("user:{sub}", "dm:{sub}:*", "dm:*:{sub}", "{sub}*", "*{sub}", "{sub}", "{sub}:{sub}",
                        "inbox.{sub}.*")));
    }

    Arbitrary<TestRule> rules(Arbitrary<String> patterns) {
        Arbitrary<List<String>> roleLists = Arbitraries.of(ROLES).list().ofMaxSize(3);
        return Combinators.combine(patterns, roleLists, roleLists, Arbitraries.of(true, false)).as(TestRule::new);
    }

    @Provide
    Arbitrary<List<TestRule>> ruleLists() {
        return rules(Arbitraries.oneOf(patterns(true), subPatterns(), globPatterns())).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<TestRule>> globRuleLists() {
        return rules(Arbitraries.oneOf(patterns(false), globPatterns())).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<String> subs() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().withChars(DENSE).ofMinLength(1).ofMaxLength(4)),
                Tuple.of(2, Arbitraries.strings().withChars(ROOM_CHARS).ofMinLength(1).ofMaxLength(10)),
                Tuple.of(1, Arbitraries.of("", " ", "a b", "alice/bob", "ünï", "a{sub}", "*", ".*", "\\E")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(10)));
    }

    @Provide
    Arbitrary<List<String>> fillers() {
        return Arbitraries.strings().withChars(DENSE).ofMaxLength(4).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<Set<String>> roleSets() {
        return Arbitraries.subsetOf(ROLES);
    }

    @Provide
    Arbitrary<String> rooms() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().withChars(DENSE).ofMaxLength(10)),
                Tuple.of(2, Arbitraries.strings().withChars(ROOM_CHARS).ofMinLength(1).ofMaxLength(128)),
                Tuple.of(1, Arbitraries.strings().withChars(DENSE + "*{}sub\\()$ é").ofMaxLength(12)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(140)));
    }

    @Provide
    Arbitrary<String> roomNameCandidates() {
        StringArbitrary alphabet = Arbitraries.strings().withChars(ROOM_CHARS);
        return Arbitraries.frequencyOf(
                Tuple.of(3, alphabet.ofMinLength(0).ofMaxLength(140)),
                Tuple.of(2, alphabet.ofMinLength(126).ofMaxLength(130)),
                Tuple.of(2, Combinators.combine(alphabet.ofMaxLength(64), Arbitraries.chars(), alphabet.ofMaxLength(64))
                        .as((a, c, b) -> a + c + b)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(140)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(4)),
                Tuple.of(1, Arbitraries.of("\u0660", "\uff21", "a\nb", "a\u0000", "ǅ", "\u212a", "ı", "a b", "a/b", "a#b", "a\u00a0")));
    }
}
