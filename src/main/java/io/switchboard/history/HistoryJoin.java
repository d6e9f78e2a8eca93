package io.switchboard.history;

import java.util.List;

import io.switchboard.protocol.Position;
import io.switchboard.rooms.HistorySpec;

/**
 * A join of a history room, carried out by the engine in order with the room's messages: the reply
 * and any replay are queued for the connection, and it becomes a member, between two deliveries of
 * the room, so it sees every message after its position once and nothing before the reply.
 */
public abstract class HistoryJoin {
    private final String room;
    private final HistorySpec spec;
    private final Position since;

    protected HistoryJoin(String room, HistorySpec spec, Position since) {
        this.room = room;
        this.spec = spec;
        this.since = since;
    }

    public String room() {
        return room;
    }

    public HistorySpec spec() {
        return spec;
    }

    /** The client's last position, or null when the join had no {@code since}. */
    public Position since() {
        return since;
    }

    /**
     * Called on the engine's context between two deliveries of the room: queue the reply, then the
     * replayed frames, then become a member.
     *
     * @param recovered null when the join had no {@code since}
     * @return false when the connection withdrew the join meanwhile (it left or closed)
     */
    public abstract boolean admit(Position position, Boolean recovered, List<String> replay);

    /** The join cannot be carried out now (the room's traffic or history is unreachable). */
    public abstract void refuse(String reason);
}
