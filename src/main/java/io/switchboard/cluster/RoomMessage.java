package io.switchboard.cluster;

import io.switchboard.protocol.ServerFrames;

/**
 * One publication, built once by the publishing node. The {@code message} frame is encoded here,
 * once, and travels as is: to this node's members and, inside the envelope, to every other node.
 */
public record RoomMessage(String id, String room, long ts, String frame) {

    /**
     * @param from the publisher's {@code sub}, or {@code "server"} for the HTTP API
     * @param ts epoch milliseconds at acceptance
     * @param data the raw JSON text of the payload
     */
    public static RoomMessage of(String id, String room, String from, long ts, String data) {
        return new RoomMessage(id, room, ts, ServerFrames.message(room, id, from, ts, data));
    }
}
