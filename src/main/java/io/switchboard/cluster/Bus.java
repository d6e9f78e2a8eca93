package io.switchboard.cluster;

import io.smallrye.mutiny.Uni;
import io.switchboard.history.HistoryJoin;

/**
 * The only part of the gateway that knows other nodes exist. An engine delivers each message to
 * this node's members once (through {@link LocalNode}) and to every other node serving the room.
 */
public interface Bus {

    /**
     * Delivers to this node's members and accepts the message for every other node. The Uni
     * completes once the message is accepted (PROTOCOL section 7) and fails with
     * {@link BusUnavailableException} when it cannot be.
     * <p>
     * In a history room (PROTOCOL section 8) the message is delivered, here too, only once the store
     * assigned its offset; the Uni then completes with that offset when it is known by the time the
     * message is accepted, or, with {@code awaitOffset}, once it is known. Otherwise it completes with 0.
     */
    Uni<Long> publish(RoomMessage message, boolean awaitOffset);

    default Uni<Long> publish(RoomMessage message) {
        return publish(message, false);
    }

    /**
     * Carries out a join of a history room: once the node receives the room's traffic, the join is
     * admitted in order with the room's messages, or refused when that cannot be done in time.
     */
    void joinHistory(HistoryJoin join);

    /**
     * This node's membership of a room changed (first member joined, or last one left). Completes
     * once the node receives the room's traffic if it now has members, so a join acknowledged to a
     * client is not followed by messages it silently misses; fails with
     * {@link BusUnavailableException} when that cannot be confirmed in time (PROTOCOL section 7).
     */
    Uni<Void> roomChanged(String room);

    /**
     * Carries out the command on this node and sends it to every other node. A retained command
     * ({@link ControlCommand#retained()}) is also stored until it expires, and carried out by every
     * node that connects later; the Uni completes once it is stored.
     */
    Uni<Void> broadcast(ControlCommand command);

    /** How the link to the other nodes is doing, for health details and metrics. */
    BusStatus status();
}
