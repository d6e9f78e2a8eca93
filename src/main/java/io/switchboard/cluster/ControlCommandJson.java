package io.switchboard.cluster;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The wire format of a {@link ControlCommand}, on the control channel and in the retained hash:
 * {@code {"type":…,"sub":…,"jti":…,"issuedBefore":…,"expiresAt":…}}, with {@code sub} and
 * {@code jti} present only when set, {@code type} {@code disconnect} or {@code revoke} (by
 * {@code jti}, else by {@code sub} and {@code issuedBefore} in epoch seconds), {@code expiresAt} in
 * epoch ms (0 when not retained). Written and read by hand, with Jackson's streaming parser.
 */
final class ControlCommandJson {
    static final String DISCONNECT = "disconnect";
    static final String REVOKE = "revoke";
    private static final JsonFactory JSON = new JsonFactory();

    private ControlCommandJson() {
    }

    static String encode(ControlCommand command) {
        if (command instanceof ControlCommand.Disconnect disconnect) {
            return encode(DISCONNECT, disconnect.sub(), null, 0, 0);
        } else if (command instanceof ControlCommand.RevokeToken token) {
            return encode(REVOKE, null, token.jti(), 0, token.expiresAt());
        } else if (command instanceof ControlCommand.RevokeUser user) {
            return encode(REVOKE, user.sub(), null, user.issuedBefore(), user.expiresAt());
        } else {
            ControlCommand.Unknown unknown = (ControlCommand.Unknown) command;
            return encode(unknown.type(), null, null, 0, unknown.expiresAt());
        }
    }

    private static String encode(String type, String sub, String jti, long issuedBefore, long expiresAt) {
        StringBuilder b = new StringBuilder(96).append("{\"type\":");
        quote(b, type);
        if (sub != null) {
            quote(b.append(",\"sub\":"), sub);
        }
        if (jti != null) {
            quote(b.append(",\"jti\":"), jti);
        }
        return b.append(",\"issuedBefore\":").append(issuedBefore).append(",\"expiresAt\":").append(expiresAt)
                .append('}').toString();
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, b);
        b.append('"');
    }

    /**
     * @return the command; {@link ControlCommand.Unknown} for an object with a {@code type} this node
     *         does not know; null when the text is not a command (not one JSON object, no type, or a
     *         known type without the field it needs)
     */
    static ControlCommand decode(String text) {
        String type = null;
        String sub = null;
        String jti = null;
        long issuedBefore = 0;
        long expiresAt = 0;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && "type".equals(field)) {
                    type = p.getText();
                } else if (value == JsonToken.VALUE_STRING && "sub".equals(field)) {
                    sub = p.getText();
                } else if (value == JsonToken.VALUE_STRING && "jti".equals(field)) {
                    jti = p.getText();
                } else if (value == JsonToken.VALUE_NUMBER_INT && "issuedBefore".equals(field)) {
                    issuedBefore = p.getLongValue();
                } else if (value == JsonToken.VALUE_NUMBER_INT && "expiresAt".equals(field)) {
                    expiresAt = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                return null; // cut short
            }
        } catch (IOException e) {
            return null;
        }
        if (type == null) {
            return null;
        }
        switch (type) {
            case DISCONNECT:
                return sub != null ? new ControlCommand.Disconnect(sub) : null;
            case REVOKE:
                if (jti != null) {
                    return new ControlCommand.RevokeToken(jti, expiresAt);
                }
                return sub != null ? new ControlCommand.RevokeUser(sub, issuedBefore, expiresAt) : null;
            default:
                return new ControlCommand.Unknown(type, expiresAt);
        }
    }
}
