package io.switchboard.cluster;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/**
 * What travels through Redis: {@code 1 <origin> <seq> <ts> <body>}, UTF-8. Version first, so a node can
 * skip envelopes of a format it does not know; the origin instance lets a node ignore its own
 * messages coming back; the per-origin sequence lets it drop a message Redis already delivered
 * before a publisher reconnect made the origin send it again; {@code ts} (epoch ms of acceptance)
 * feeds the cross-node latency histogram. The body of a room message is the
 * finished {@code message} frame, so receiving nodes hand it to members without encoding anything.
 */
public record Envelope(String origin, long seq, long ts, String body) {
    static final char VERSION = '1';

    public Buffer encode() {
        return Buffer.buffer(VERSION + " " + origin + ' ' + seq + ' ' + ts + ' ' + body, StandardCharsets.UTF_8.name());
    }

    /** @return the envelope, or null when it is not one this version understands */
    public static Envelope decode(Buffer payload) {
        String text = payload.toString(StandardCharsets.UTF_8);
        if (text.length() < 6 || text.charAt(0) != VERSION || text.charAt(1) != ' ') {
            return null;
        }
        int originEnd = text.indexOf(' ', 2);
        int seqEnd = originEnd < 0 ? -1 : text.indexOf(' ', originEnd + 1);
        int tsEnd = seqEnd < 0 ? -1 : text.indexOf(' ', seqEnd + 1);
        if (tsEnd < 0) {
            return null;
        }
        try {
            return new Envelope(text.substring(2, originEnd), Long.parseLong(text, originEnd + 1, seqEnd, 10),
                    Long.parseLong(text, seqEnd + 1, tsEnd, 10), text.substring(tsEnd + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
