package io.switchboard.cluster;

import io.smallrye.mutiny.Uni;
import io.switchboard.history.HistoryJoin;

/**
 * The only part of the gateway that knows other nodes exist. An engine delivers each accepted
 * message to this node's members once (through {@link LocalNode}) and passes it on to the other
 * nodes, which deliver it to theirs while they are subscribed to the room (README, "The cluster
 * model", for what a lost subscription misses).
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
     * Carries out a join of a history room: once this node's subscription to the room is confirmed,
     * the join is admitted in order with the room's messages ({@link HistoryJoin#admit}); it is
     * refused ({@link HistoryJoin#refuse}) when the subscription is not confirmed within
     * {@code subscribe-timeout} or the room's history cannot be read.
     */
    void joinHistory(HistoryJoin join);

    /**
     * This node's membership of a room changed (first member joined, or last one left).
     * <p>
     * If the room now has members here and no history, the Uni completes once this node's
     * subscription to the room is confirmed (with Redis: the subscribe was acknowledged), so what
     * other nodes publish from then on reaches this node; it fails with
     * {@link BusUnavailableException} when that is not confirmed within {@code subscribe-timeout}
     * (PROTOCOL section 7). Nothing published before the confirmation is delivered, and if the
     * subscription is lost later it is rebuilt without replaying what was published meanwhile
     * (README, "Limits of that guarantee").
     * <p>
     * Otherwise (the last member left, or a history room, whose joins subscribe through
     * {@link #joinHistory}) the Uni completes once the change is taken into account; an
     * unsubscribe is not waited for.
     */
    Uni<Void> roomChanged(String room);

    /**
     * Carries out the command on this node and sends it to every other node. A retained command
     * ({@link ControlCommand#retained()}) is also stored until it expires, and carried out by every
     * node that connects later. The Uni completes once the command is accepted like a publish (sent
     * in order, or held while the other nodes are unreachable), not once it is stored; it fails with
     * {@link BusUnavailableException} when it cannot be accepted, and the command is then not carried
     * out here.
     */
    Uni<Void> broadcast(ControlCommand command);

    /** How the link to the other nodes is doing, for health details and metrics. */
    BusStatus status();
}
