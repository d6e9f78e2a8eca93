package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.history.HistoryJoin;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Position;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.switchboard.rooms.LocalRooms;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.transport.Member;

/**
 * A connection's join of a history room while the engine carries it out. The engine admits it on its
 * own context; the connection may leave or close meanwhile on its event loop. The lock decides which
 * came first: a withdrawn join is never admitted, and an admitted one is undone by the withdrawal.
 */
final class HistoryMembership extends HistoryJoin {
    private final ClientSession session;
    private final RoomAccess access;
    private final String ref;
    private final LocalRooms<Member> rooms;
    private final Fanout fanout;
    private final Dispatcher dispatcher;
    private boolean admitted;
    private boolean withdrawn;

    HistoryMembership(ClientSession session, String room, HistorySpec spec, Position since, RoomAccess access, String ref,
            LocalRooms<Member> rooms, Fanout fanout, Dispatcher dispatcher) {
        super(room, spec, since);
        this.session = session;
        this.access = access;
        this.ref = ref;
        this.rooms = rooms;
        this.fanout = fanout;
        this.dispatcher = dispatcher;
    }

    RoomAccess access() {
        return access;
    }

    /** The reply, then the replay, go through the same per-loop queue as the room's messages, ahead of them. */
    @Override
    public boolean admit(Position position, Boolean recovered, List<String> replay) {
        synchronized (this) {
            if (withdrawn) {
                return false;
            }
            List<String> frames = new ArrayList<>(replay.size() + 1);
            frames.add(ServerFrames.joined(ref, position, recovered));
            frames.addAll(replay);
            fanout.sendTo(session.member(), frames);
            rooms.join(room(), session.member());
            admitted = true;
        }
        session.loop().execute(() -> session.joinSettled(room(), this));
        return true;
    }

    @Override
    public void refuse(String reason) {
        synchronized (this) {
            if (withdrawn) {
                return;
            }
            withdrawn = true;
        }
        session.loop().execute(() -> {
            session.joinSettled(room(), this);
            dispatcher.rollBackJoin(session, room(), access, ref, ErrorCode.UNAVAILABLE, reason);
        });
    }

    /**
     * The connection left the room or closed before the join was settled.
     *
     * @return whether it had been admitted, so the membership must be undone
     */
    boolean withdraw() {
        synchronized (this) {
            withdrawn = true;
            return admitted;
        }
    }

    String ref() {
        return ref;
    }
}
