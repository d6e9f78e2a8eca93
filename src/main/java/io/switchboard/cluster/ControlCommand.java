package io.switchboard.cluster;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** A command every node carries out, e.g. closing all connections of a user. */
public record ControlCommand(String type, String sub) {
    public static final String DISCONNECT = "disconnect";
    private static final JsonFactory JSON = new JsonFactory();

    public static ControlCommand disconnect(String sub) {
        return new ControlCommand(DISCONNECT, sub);
    }

    public String encode() {
        StringBuilder b = new StringBuilder(48).append("{\"type\":\"");
        JsonStringEncoder.getInstance().quoteAsString(type, b);
        b.append("\",\"sub\":\"");
        JsonStringEncoder.getInstance().quoteAsString(sub, b);
        return b.append("\"}").toString();
    }

    /** @return the command, or null when the text is not one (a newer node's command, or garbage) */
    public static ControlCommand decode(String text) {
        String type = null;
        String sub = null;
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
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return type == null || sub == null ? null : new ControlCommand(type, sub);
    }
}
