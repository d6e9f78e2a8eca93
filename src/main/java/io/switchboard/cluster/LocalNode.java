package io.switchboard.cluster;

/** What a bus engine sees of this node: its members and its handler of cluster-wide commands. */
public interface LocalNode {

    /**
     * Hands an encoded {@code message} frame to this node's members of the room.
     *
     * @param publishedAt when the message was accepted (epoch ms), for the latency histogram
     * @param remote whether it came from another node
     */
    void deliver(String room, String frame, long publishedAt, boolean remote);

    /** Whether the room has members on this node now; the engine subscribes to exactly these rooms. */
    boolean hasMembers(String room);

    /** Carries out a cluster-wide command on this node. */
    void execute(ControlCommand command);
}
