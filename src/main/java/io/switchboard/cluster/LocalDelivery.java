package io.switchboard.cluster;

/** Where the bus hands a message for this node's own members, whichever node published it. */
public interface LocalDelivery {
    void deliver(RoomMessage message);
}
