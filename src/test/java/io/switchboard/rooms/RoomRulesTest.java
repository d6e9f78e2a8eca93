package io.switchboard.rooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.switchboard.support.TestRule;

class RoomRulesTest {

    private final RoomRules rules = new RoomRules(List.of(
            new TestRule("user:{sub}", List.of("*"), List.of("*"), true),
            new TestRule("chat:*", List.of("user"), List.of("user"), true),
            new TestRule("news.*", List.of("user"), List.of("editor"), false),
            new TestRule("dm:{sub}:*", List.of("user"), List.of("user"), true),
            new TestRule("lit.(a)+", List.of("user"), List.of(), true)));

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

    @Test
    void presenceComesFromTheFirstMatchingRuleAndEventsImplyIt() {
        RoomRules presence = new RoomRules(List.of(TestRule.presence("quiet:*", false, false),
                TestRule.presence("who:*", true, false), TestRule.presence("live:*", false, true),
                TestRule.presence("*", true, true)));
        assertEquals(PresenceMode.OFF, presence.presence("quiet:x"));
        assertEquals(PresenceMode.ON, presence.presence("who:x"));
        assertEquals(PresenceMode.EVENTS, presence.presence("live:x"));
        assertEquals(PresenceMode.EVENTS, presence.presence("other"));
        assertEquals(PresenceMode.OFF, rules.presence("chat:x"));
        assertEquals(PresenceMode.OFF, rules.presence("nothing-matches"));
    }
}
