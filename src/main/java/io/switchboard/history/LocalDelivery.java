package io.switchboard.history;

/**
 * Where a room's frames go on this node: its members of the room. {@link RoomStreams} hands them
 * here in offset order; the engine that owns the streams supplies it.
 */
@FunctionalInterface
public interface LocalDelivery {

    /**
     * Hands an encoded frame to this node's members of the room.
     *
     * @param publishedAt when the message was accepted (epoch ms), for the latency histogram
     * @param remote whether it came from another node
     */
    void deliver(String room, String frame, long publishedAt, boolean remote);
}
