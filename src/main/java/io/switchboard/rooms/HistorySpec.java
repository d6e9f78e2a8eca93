package io.switchboard.rooms;

/**
 * A room rule's history (PROTOCOL section 8): at most {@code size} messages per room, each kept at
 * most {@code ttlMillis}.
 */
public record HistorySpec(int size, long ttlMillis) {
}
