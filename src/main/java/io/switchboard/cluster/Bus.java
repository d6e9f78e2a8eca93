package io.switchboard.cluster;

import io.smallrye.mutiny.Uni;

/**
 * The only part of the gateway that knows other nodes exist. An engine delivers each message to
 * this node's members once (through {@link LocalDelivery}) and to every other node serving the room.
 */
public interface Bus {

    /**
     * Accepts a message for every node. The Uni completes once the message is accepted (PROTOCOL
     * section 7) and fails with {@link BusUnavailableException} when it cannot be.
     */
    Uni<Void> publish(RoomMessage message);

    /** The first local member joined: from now on this node needs the room's traffic. */
    void roomActivated(String room);

    /** The last local member left: this node no longer needs the room's traffic. */
    void roomDeactivated(String room);
}
