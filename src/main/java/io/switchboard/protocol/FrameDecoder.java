package io.switchboard.protocol;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Decodes one client text frame into a {@link ClientFrame} with a streaming parser: no object
 * mapping (nothing to register for reflection in a native image), and the {@code data} of a
 * publish is sliced out of the frame text verbatim instead of being parsed into a tree and
 * serialised again.
 * <p>
 * Unknown fields are ignored (forward compatibility); a repeated known field is an error, because
 * two readers of the same frame could otherwise disagree about which value counts.
 */
public final class FrameDecoder {
    public static final int MAX_REF_LENGTH = 64;
    public ClientFrame decode(String text) throws BadFrameException {
        Fields f = new Fields();
        try (JsonParser p = JsonText.BOUNDED.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadFrameException(null, "frame must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "op" -> f.op = f.string(p, value, field, f.op);
                    case "ref" -> f.ref(p, value);
                    case "room" -> f.room = f.string(p, value, field, f.room);
                    case "token" -> f.token = f.string(p, value, field, f.token);
                    case "since" -> f.since = f.once(field, f.since, f.since(p, value));
                    case "data" -> {
                        String raw = rawValue(p, text);
                        f.data = f.once(field, f.data, raw);
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BadFrameException(f.ref, "frame must be exactly one JSON object");
            }
        } catch (IOException e) {
            // Broken JSON: the only error that stops the reading early; the ref is kept if it came first.
            throw new BadFrameException(f.ref, "not valid JSON");
        }
        if (f.problem != null) {
            throw new BadFrameException(f.ref, f.problem);
        }
        String ref = f.ref;
        if (f.op == null) {
            throw new BadFrameException(ref, "missing field: op");
        }
        return switch (f.op) {
            case "join" -> new ClientFrame.Join(ref, room(f.room, ref), f.since);
            case "leave" -> new ClientFrame.Leave(ref, room(f.room, ref));
            case "presence" -> new ClientFrame.Presence(ref, room(f.room, ref));
            case "publish" -> {
                String r = room(f.room, ref);
                if (f.data == null) {
                    throw new BadFrameException(ref, "missing field: data");
                }
                yield new ClientFrame.Publish(ref, r, f.data);
            }
            case "refresh" -> {
                if (f.token == null || f.token.isEmpty()) {
                    throw new BadFrameException(ref, "missing field: token");
                }
                yield new ClientFrame.Refresh(ref, f.token);
            }
            default -> throw new BadFrameException(ref, "unknown op");
        };
    }

    /**
     * The fields read so far, and the first field-level error. A bad field does not stop the reading:
     * the rest of the object is read so the reply can still carry the frame's {@code ref} (PROTOCOL
     * section 3), wherever it stands.
     */
    private static final class Fields {
        String op;
        String ref;
        String room;
        String token;
        String data;
        Position since;
        String problem;
        private boolean refSeen;

        /** A string field: a value of another type or a repeat is recorded as the problem. */
        String string(JsonParser p, JsonToken value, String field, String previous) throws IOException {
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
                fail("field must be a string: " + field);
                return previous;
            }
            return once(field, previous, p.getText());
        }

        <T> T once(String field, T previous, T value) {
            if (previous != null) {
                fail("duplicate field: " + field);
                return previous;
            }
            return value;
        }

        /**
         * {@code {"epoch": <non-empty string>, "offset": <integer >= 0>}} and nothing else; anything
         * else is recorded as the problem (and read to its end, so the rest of the frame is read too).
         */
        Position since(JsonParser p, JsonToken value) throws IOException {
            String invalid = "since must be {\"epoch\": <non-empty string>, \"offset\": <integer >= 0>}";
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                fail(invalid);
                return null;
            }
            String epoch = null;
            long offset = -1;
            boolean bad = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("epoch".equals(field) && epoch == null && v == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                    epoch = p.getText();
                } else if ("offset".equals(field) && offset < 0 && v == JsonToken.VALUE_NUMBER_INT
                        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && p.getLongValue() >= 0) {
                    offset = p.getLongValue();
                } else {
                    p.skipChildren();
                    bad = true;
                }
            }
            if (bad || epoch == null || offset < 0) {
                fail(invalid);
                return null;
            }
            return new Position(epoch, offset);
        }

        /** Only a string of at most 64 characters is a ref; the first one counts. */
        void ref(JsonParser p, JsonToken value) throws IOException {
            if (refSeen) {
                p.skipChildren();
                fail("duplicate field: ref");
                return;
            }
            refSeen = true;
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
                fail("field must be a string: ref");
            } else if (p.getTextLength() > MAX_REF_LENGTH) {
                fail("ref longer than " + MAX_REF_LENGTH + " characters");
            } else {
                ref = p.getText();
            }
        }

        private void fail(String reason) {
            if (problem == null) {
                problem = reason;
            }
        }
    }

    private static String room(String room, String ref) throws BadFrameException {
        if (room == null) {
            throw new BadFrameException(ref, "missing field: room");
        }
        if (!RoomNames.isValid(room)) {
            throw new BadFrameException(ref, "invalid room name");
        }
        return room;
    }

    /** The exact text of the current value, whatever its type; the parser ends on its last token. */
    private static String rawValue(JsonParser p, String text) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        p.finishToken();
        int end = (int) p.currentLocation().getCharOffset();
        return text.substring(start, end);
    }
}
