package io.switchboard.rooms;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.protocol.RoomNames;

/**
 * A room-name pattern: literal text, {@code *} (any run of room characters, possibly empty) and
 * {@code {sub}} (the connecting user's own {@code sub}). Matching backtracks over every way the
 * room can be split, so a {@code {sub}} is compared with each candidate and not only with the
 * first a greedy match happens to take.
 */
final class RoomPattern {
    private static final String SUB = "{sub}";

    private sealed interface Part permits Literal, Star, Sub {
    }

    private record Literal(String text) implements Part {
    }

    private record Star() implements Part {
    }

    private record Sub() implements Part {
    }

    private final List<Part> parts;
    private final boolean bindsSub;

    private RoomPattern(List<Part> parts) {
        this.parts = List.copyOf(parts);
        this.bindsSub = parts.stream().anyMatch(p -> p instanceof Sub);
    }

    static RoomPattern compile(String pattern) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            Part special = null;
            if (pattern.startsWith(SUB, i)) {
                special = new Sub();
                i += SUB.length();
            } else if (pattern.charAt(i) == '*') {
                special = new Star();
                i++;
            } else {
                literal.append(pattern.charAt(i++));
            }
            if (special != null) {
                if (!literal.isEmpty()) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(special);
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
        return new RoomPattern(parts);
    }

    boolean bindsSub() {
        return bindsSub;
    }

    /**
     * @param sub the user {@code {sub}} must equal, or null to let {@code {sub}} stand for any
     *        non-empty run of room characters (does the pattern apply to this room at all?)
     */
    boolean matches(String room, String sub) {
        return matches(room, 0, 0, sub);
    }

    private boolean matches(String room, int at, int part, String sub) {
        if (part == parts.size()) {
            return at == room.length();
        }
        Part p = parts.get(part);
        if (p instanceof Literal literal) {
            return room.startsWith(literal.text(), at) && matches(room, at + literal.text().length(), part + 1, sub);
        }
        if (p instanceof Sub && sub != null) {
            return room.startsWith(sub, at) && !sub.isEmpty() && matches(room, at + sub.length(), part + 1, sub);
        }
        int min = p instanceof Sub ? 1 : 0;
        for (int end = at; end <= room.length(); end++) {
            if (end > at && !RoomNames.isRoomChar(room.charAt(end - 1))) {
                return false;
            }
            if (end - at >= min && matches(room, end, part + 1, sub)) {
                return true;
            }
        }
        return false;
    }
}
