package io.switchboard.rooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RoomRulesTest {

    record Rule(String pattern, List<String> join, List<String> publish, boolean publishRequiresMembership)
            implements RoomsConfig.Rule {
        @Override
        public boolean presence() {
            return false;
        }

        @Override
        public boolean presenceEvents() {
            return false;
        }

        @Override
        public int historySize() {
            return 0;
        }

        @Override
        public java.time.Duration historyTtl() {
            return java.time.Duration.ofMinutes(5);
        }
    }

    private final RoomRules rules = new RoomRules(List.of(
            new Rule("user:{sub}", List.of("*"), List.of("*"), true),
            new Rule("chat:*", List.of("user"), List.of("user"), true),
            new Rule("news.*", List.of("user"), List.of("editor"), false),
            new Rule("dm:{sub}:*", List.of("user"), List.of("user"), true),
            new Rule("lit.(a)+", List.of("user"), List.of(), true)));

    @Test
    void firstMatchingRuleDecides() {
        RoomAccess chat = rules.access("alice", Set.of("user"), "chat:lobby");
        assertTrue(chat.join() && chat.publish() && chat.publishRequiresMembership());
        RoomAccess news = rules.access("alice", Set.of("user"), "news.today");
        assertTrue(news.join());
        assertFalse(news.publish());
        assertFalse(news.publishRequiresMembership());
        assertTrue(rules.access("ed", Set.of("editor"), "news.today").publish());
    }

    @Test
    void denyByDefault() {
        assertEquals(RoomAccess.NONE, rules.access("alice", Set.of("user", "admin"), "secret"));
        assertFalse(rules.access("alice", Set.of(), "chat:lobby").join());
    }

    @Test
    void subPlaceholderBindsToTheTokenOwner() {
        assertTrue(rules.access("alice", Set.of(), "user:alice").join());
        RoomAccess other = rules.access("bob", Set.of("user"), "user:alice");
        assertTrue(other.matched());
        assertFalse(other.join() || other.publish());
        assertTrue(rules.access("alice", Set.of("user"), "dm:alice:bob").join());
        assertFalse(rules.access("bob", Set.of("user"), "dm:alice:bob").join());
    }

    @Test
    void starMatchesRoomCharactersIncludingNone() {
        assertTrue(rules.access("a", Set.of("user"), "chat:").join());
        assertTrue(rules.access("a", Set.of("user"), "chat:a.b-c@d_e:f").join());
        assertFalse(rules.access("a", Set.of("user"), "chatx").matched());
    }

    @Test
    void patternPunctuationIsLiteral() {
        assertTrue(rules.access("a", Set.of("user"), "lit.(a)+").matched());
        assertFalse(rules.access("a", Set.of("user"), "litX(a)+").matched());
        assertFalse(rules.access("a", Set.of("user"), "lit.aa").matched());
    }

    record PresenceRule(String pattern, boolean presence, boolean presenceEvents) implements RoomsConfig.Rule {
        @Override
        public List<String> join() {
            return List.of("*");
        }

        @Override
        public List<String> publish() {
            return List.of();
        }

        @Override
        public boolean publishRequiresMembership() {
            return true;
        }

        @Override
        public int historySize() {
            return 0;
        }

        @Override
        public java.time.Duration historyTtl() {
            return java.time.Duration.ofMinutes(5);
        }
    }

    @Test
    void presenceComesFromTheFirstMatchingRuleAndEventsImplyIt() {
        RoomRules presence = new RoomRules(List.of(new PresenceRule("quiet:*", false, false),
                new PresenceRule("who:*", true, false), new PresenceRule("live:*", false, true),
                new PresenceRule("*", true, true)));
        assertEquals(PresenceMode.OFF, presence.presence("quiet:x"));
        assertEquals(PresenceMode.ON, presence.presence("who:x"));
        assertEquals(PresenceMode.EVENTS, presence.presence("live:x"));
        assertEquals(PresenceMode.EVENTS, presence.presence("other"));
        assertEquals(PresenceMode.OFF, rules.presence("chat:x"));
        assertEquals(PresenceMode.OFF, rules.presence("nothing-matches"));
    }
}
