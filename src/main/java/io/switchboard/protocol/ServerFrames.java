package io.switchboard.protocol;

import java.util.Collection;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Encodes server frames (PROTOCOL section 3) by hand: every frame is small and of a fixed shape, so
 * writing it directly is cheaper than any serializer and needs no reflection.
 * A {@code message} frame is encoded once per message and the same string goes to every member.
 */
public final class ServerFrames {
    private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();

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

    public static String error(String ref, ErrorCode code, String reason) {
        StringBuilder b = new StringBuilder(96).append("{\"op\":\"reply\"");
        ref(b, ref);
        b.append(",\"status\":\"error\",\"code\":\"").append(code.wire()).append("\",\"reason\":");
        return quote(b, reason).append('}').toString();
    }

    public static String message(String room, String id, String from, long ts, String data) {
        StringBuilder b = new StringBuilder(64 + room.length() + id.length() + from.length() + data.length())
                .append("{\"op\":\"message\",\"room\":");
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
