package io.switchboard.cluster;

import io.switchboard.history.LocalDelivery;

/**
 * What a bus engine sees of this node: its members ({@link #deliver}, from {@link LocalDelivery})
 * and its handler of cluster-wide commands.
 */
public interface LocalNode extends LocalDelivery {

    /** Whether the room has members on this node now; the engine subscribes to exactly these rooms. */
    boolean hasMembers(String room);

    /** Carries out a cluster-wide command on this node. */
    void execute(ControlCommand command);
}
