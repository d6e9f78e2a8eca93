package io.switchboard.cluster;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * A command every node carries out: close a user's connections, or revoke tokens. Revocations
 * are retained (until {@code expiresAt}, epoch ms) so nodes that start later apply them too.
 *
 * @param sub the user (disconnect, revoke by user), or null
 * @param jti the token id (revoke by token), or null
 * @param issuedBefore epoch seconds: tokens of {@code sub} issued before it are revoked; 0 if unused
 * @param expiresAt epoch ms after which a retained command no longer matters; 0 if not retained
 */
public record ControlCommand(String type, String sub, String jti, long issuedBefore, long expiresAt) {
    public static final String DISCONNECT = "disconnect";
    public static final String REVOKE = "revoke";
    private static final JsonFactory JSON = new JsonFactory();

    public static ControlCommand disconnect(String sub) {
        return new ControlCommand(DISCONNECT, sub, null, 0, 0);
    }

    public static ControlCommand revokeToken(String jti, long expiresAt) {
        return new ControlCommand(REVOKE, null, jti, 0, expiresAt);
    }

    public static ControlCommand revokeUser(String sub, long issuedBefore, long expiresAt) {
        return new ControlCommand(REVOKE, sub, null, issuedBefore, expiresAt);
    }

    public boolean retained() {
        return expiresAt > 0;
    }

    /** Identifies a retained command: a later one with the same key replaces it. */
    public String key() {
        return jti != null ? "jti:" + jti : "sub:" + sub;
    }

    public String encode() {
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

    /** @return the command, or null when the text is not one (a newer node's command, or garbage) */
    public static ControlCommand decode(String text) {
        String type = null;
        String sub = null;
        String jti = null;
        long issuedBefore = 0;
        long expiresAt = 0;
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
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
        } catch (IOException e) {
            return null;
        }
        return type == null || (sub == null && jti == null) ? null : new ControlCommand(type, sub, jti, issuedBefore, expiresAt);
    }
}
