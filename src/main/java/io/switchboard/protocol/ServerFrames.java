package io.switchboard.protocol;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Encodes server frames (PROTOCOL section 3) by hand: every frame is small and of a fixed shape, so
 * writing it directly is cheaper than any serializer and needs no reflection.
 * A {@code message} frame is encoded once per message and the same string goes to every member.
 */
public final class ServerFrames {
    private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();
    private static final String MESSAGE_START = "{\"op\":\"message\"";
    private static final String JOINED = "{\"op\":\"joined\",";
    private static final String PARTED = "{\"op\":\"parted\",";
    private static final String USER_FIELD = ",\"user\":";

    private ServerFrames() {
    }

    public static String welcome(String connection, String user, Collection<String> roles, long exp, String node) {
        StringBuilder b = new StringBuilder(128).append("{\"op\":\"welcome\",\"connection\":");
        quote(b, connection).append(",\"user\":");
        quote(b, user).append(",\"roles\":[");
        boolean first = true;
        for (String role : roles) {
            if (!first) {
                b.append(',');
            }
            quote(b, role);
            first = false;
        }
        b.append("],\"exp\":").append(exp).append(",\"node\":");
        return quote(b, node).append('}').toString();
    }

    public static String ok(String ref) {
        StringBuilder b = new StringBuilder(48).append("{\"op\":\"reply\"");
        ref(b, ref);
        return b.append(",\"status\":\"ok\"}").toString();
    }

    /** The reply to an accepted publish also names the message id, so a client can match its own echo. */
    public static String published(String ref, String id) {
        StringBuilder b = new StringBuilder(80).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"ok\",\"id\":");
        return quote(b, id).append('}').toString();
    }

    /** A publish in a history room answered after Redis assigned the offset (PROTOCOL section 8). */
    public static String published(String ref, String id, long offset) {
        if (offset <= 0) {
            return published(ref, id);
        }
        StringBuilder b = new StringBuilder(96).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"ok\",\"id\":");
        return quote(b, id).append(",\"offset\":").append(offset).append('}').toString();
    }

    /**
     * The reply to a join of a history room, or to a join with {@code since} of any room.
     *
     * @param position null for a room without a history
     * @param recovered null when the join had no {@code since}
     */
    public static String joined(String ref, Position position, Boolean recovered) {
        StringBuilder b = new StringBuilder(96).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"ok\"");
        if (position != null) {
            position(b.append(",\"position\":"), position);
        }
        if (recovered != null) {
            b.append(",\"recovered\":").append(recovered.booleanValue());
        }
        return b.append('}').toString();
    }

    public static String gap(String room, long from, long to) {
        StringBuilder b = new StringBuilder(64).append("{\"op\":\"gap\",\"room\":");
        return quote(b, room).append(",\"from\":").append(from).append(",\"to\":").append(to).append('}').toString();
    }

    public static String reset(String room, String epoch) {
        StringBuilder b = new StringBuilder(80).append("{\"op\":\"reset\",\"room\":");
        quote(b, room).append(",\"position\":");
        return position(b, new Position(epoch, 0)).append('}').toString();
    }

    /** Whether the frame is a {@code message} (the frames a history numbers), as {@link #message} writes it. */
    public static boolean isMessage(String frame) {
        return frame.startsWith(MESSAGE_START);
    }

    /**
     * Where a history room's {@code message} frame takes its {@code offset}: right after the room,
     * so the frame is built once without it and the store that assigns the offset splices it in.
     */
    public static int offsetSplice(String messageFrame) {
        return messageFrame.indexOf(",\"id\":");
    }

    /** The first part of a history room's message frame, up to the offset's digits. */
    public static String offsetHead(String messageFrame) {
        return messageFrame.substring(0, offsetSplice(messageFrame)) + ",\"offset\":";
    }

    /** The rest of the frame after the offset's digits. */
    public static String offsetTail(String messageFrame) {
        return messageFrame.substring(offsetSplice(messageFrame));
    }

    private static StringBuilder position(StringBuilder b, Position position) {
        b.append("{\"epoch\":");
        return quote(b, position.epoch()).append(",\"offset\":").append(position.offset()).append('}');
    }

    public static String error(String ref, ErrorCode code, String reason) {
        StringBuilder b = new StringBuilder(96).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"error\",\"code\":\"").append(code.wire()).append("\",\"reason\":");
        return quote(b, reason).append('}').toString();
    }

    public static String message(String room, String id, String from, long ts, String data) {
        StringBuilder b = new StringBuilder(64 + room.length() + id.length() + from.length() + data.length())
                .append(MESSAGE_START).append(",\"room\":");
        quote(b, room).append(",\"id\":");
        quote(b, id).append(",\"from\":");
        quote(b, from).append(",\"ts\":").append(ts).append(",\"data\":").append(data);
        return b.append('}').toString();
    }

    public static String left(String room, String reason) {
        StringBuilder b = new StringBuilder(64).append("{\"op\":\"left\",\"room\":");
        quote(b, room).append(",\"reason\":");
        return quote(b, reason).append('}').toString();
    }

    /**
     * The {@code ok} reply to {@code presence} (PROTOCOL section 9).
     *
     * @param users the listed users, in order; {@code connections} holds their counts at the same index
     */
    public static String presence(String ref, long count, List<String> users, long[] connections) {
        StringBuilder b = new StringBuilder(64 + users.size() * 40).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"ok\",\"count\":").append(count).append(",\"members\":[");
        for (int i = 0; i < users.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            quote(b.append("{\"user\":"), users.get(i)).append(",\"connections\":").append(connections[i]).append('}');
        }
        return b.append("]}").toString();
    }

    /** {@code joined} or {@code parted}: the user became present in the room, or stopped being. */
    public static String presenceEvent(String op, String room, String user) {
        StringBuilder b = new StringBuilder(48 + room.length() + user.length()).append("{\"op\":\"").append(op)
                .append("\",\"room\":");
        quote(b, room).append(",\"user\":");
        return quote(b, user).append('}').toString();
    }

    /**
     * The user a {@code joined} or {@code parted} frame (as {@link #presenceEvent} wrote it) is about,
     * so the fan-out can leave out that user's own connections; null for any other frame, which
     * costs two prefix comparisons.
     */
    public static String presenceSubject(String frame) {
        if (!frame.startsWith(JOINED) && !frame.startsWith(PARTED)) {
            return null;
        }
        // a room name has no quote in it, so the first "user" key after the prefix is the field
        int at = frame.indexOf(USER_FIELD, JOINED.length());
        try (JsonParser p = JsonText.BOUNDED.createParser(frame.substring(at + USER_FIELD.length(), frame.length() - 1))) {
            return p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    public static String expiring(long exp) {
        return "{\"op\":\"expiring\",\"exp\":" + exp + "}";
    }

    private static void ref(StringBuilder b, String ref) {
        if (ref != null) {
            quote(b.append(",\"ref\":"), ref);
        }
    }

    private static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        ESCAPER.quoteAsString(s, b);
        return b.append('"');
    }
}
