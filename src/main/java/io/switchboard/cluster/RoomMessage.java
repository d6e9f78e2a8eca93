package io.switchboard.cluster;

/**
 * One publication, built once by the publishing node.
 *
 * @param from the publisher's {@code sub}, or {@code "server"} for the HTTP API
 * @param ts epoch milliseconds at acceptance
 * @param data the raw JSON text of the payload
 */
public record RoomMessage(String id, String room, String from, long ts, String data) {
}
