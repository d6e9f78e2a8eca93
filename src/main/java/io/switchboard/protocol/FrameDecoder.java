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
        String op = null;
        String ref = null;
        String room = null;
        String data = null;
        String token = null;
        try (JsonParser p = JsonText.BOUNDED.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadFrameException(null, "frame must be a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "op" -> op = once(op, field, ref, string(p, value, field, ref));
                    case "ref" -> {
                        String r = once(ref, field, ref, string(p, value, field, ref));
                        if (r.length() > MAX_REF_LENGTH) {
                            throw new BadFrameException(null, "ref longer than " + MAX_REF_LENGTH + " characters");
                        }
                        ref = r;
                    }
                    case "room" -> room = once(room, field, ref, string(p, value, field, ref));
                    case "token" -> token = once(token, field, ref, string(p, value, field, ref));
                    case "data" -> data = once(data, field, ref, rawValue(p, text));
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new BadFrameException(ref, "frame must be exactly one JSON object");
            }
        } catch (IOException e) {
            throw new BadFrameException(ref, "not valid JSON");
        }
        if (op == null) {
            throw new BadFrameException(ref, "missing field: op");
        }
        return switch (op) {
            case "join" -> new ClientFrame.Join(ref, room(room, ref));
            case "leave" -> new ClientFrame.Leave(ref, room(room, ref));
            case "publish" -> {
                String r = room(room, ref);
                if (data == null) {
                    throw new BadFrameException(ref, "missing field: data");
                }
                yield new ClientFrame.Publish(ref, r, data);
            }
            case "refresh" -> {
                if (token == null || token.isEmpty()) {
                    throw new BadFrameException(ref, "missing field: token");
                }
                yield new ClientFrame.Refresh(ref, token);
            }
            default -> throw new BadFrameException(ref, "unknown op");
        };
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

    private static <T> T once(T previous, String field, String ref, T value) throws BadFrameException {
        if (previous != null) {
            throw new BadFrameException(ref, "duplicate field: " + field);
        }
        return value;
    }

    private static String string(JsonParser p, JsonToken value, String field, String ref)
            throws IOException, BadFrameException {
        if (value != JsonToken.VALUE_STRING) {
            throw new BadFrameException(ref, "field must be a string: " + field);
        }
        return p.getText();
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
