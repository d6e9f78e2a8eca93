package io.switchboard.gateway;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.switchboard.auth.Revocations;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.LocalNode;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.WebSocketFrames;
import io.switchboard.rooms.CopyOnWrite;
import io.switchboard.rooms.LocalRooms;
import io.switchboard.rooms.Member;

/** This node as the bus sees it: encoded frames go to the room's members, commands to the users. */
@Startup
@ApplicationScoped
public class Fanout implements LocalNode {
    private final LocalRooms rooms;
    private final LocalUsers users;
    private final GatewayMetrics metrics;
    private final Revocations revocations;
    private final LoopPressure pressure;
    /** One per event loop that owns member sockets: a handful, created on first use. */
    private final ConcurrentHashMap<EventExecutor, Outbox> outboxes = new ConcurrentHashMap<>();

    public Fanout(LocalRooms rooms, LocalUsers users, GatewayMetrics metrics, Revocations revocations,
            LimitsConfig limits) {
        this.rooms = rooms;
        this.users = users;
        this.metrics = metrics;
        this.revocations = revocations;
        this.pressure = new LoopPressure(limits.loopQueueBytes());
        metrics.gauge("switchboard.rooms.active", "Rooms with members on this node", rooms::activeRooms);
        metrics.gauge("switchboard.loop.queued.bytes", "Bytes of room messages waiting for the event loops",
                () -> outboxes.values().stream().mapToLong(Outbox::waiting).sum());
        metrics.gauge("switchboard.loops.behind", "Event loops over half their queue bound (clients are not read)",
                pressure::loopsBehind);
    }

    /** The loops' back-pressure, which the endpoint applies to the clients it reads. */
    LoopPressure pressure() {
        return pressure;
    }

    /**
     * One message to this node's members: encoded once, as a whole WebSocket frame, into a direct
     * buffer that every member's socket shares, and handed to each event loop that owns members of
     * the room as one entry in that loop's {@link Outbox}: the work here is per room and per loop,
     * never per member.
     */
    @Override
    public void deliver(String room, String frame, long publishedAt, boolean remote) {
        LocalRooms.LoopMembers[] byLoop = rooms.members(room);
        if (byLoop.length == 0) {
            return;
        }
        ByteBuf bytes = WebSocketFrames.text(frame);
        // a presence event goes to every member connection of other users
        ClientSession[] excluded = excluded(ServerFrames.presenceSubject(frame));
        int delivered = 0;
        for (LocalRooms.LoopMembers group : byLoop) {
            Member[] members = excluded == null ? group.members() : without(group.members(), excluded);
            if (members.length > 0) {
                delivered += members.length;
                outbox(group.loop()).add(bytes.retain(), members);
            }
        }
        bytes.release();
        metrics.delivered(delivered, publishedAt, remote);
    }

    private ClientSession[] excluded(String user) {
        return user == null ? null : users.sessions(user);
    }

    /** The members but the excluded ones (a user's few connections); the same array when none is there. */
    private static Member[] without(Member[] members, ClientSession[] excluded) {
        Member[] kept = members;
        for (ClientSession session : excluded) {
            kept = CopyOnWrite.without(kept, session);
            if (kept == null) {
                return new Member[0];
            }
        }
        return kept;
    }

    /**
     * Frames for one member, queued behind the room messages already handed to its loop and ahead
     * of any handed later: a history join's reply and replay keep their place in the room's order.
     */
    public void sendTo(Member member, List<String> frames) {
        Member[] one = { member };
        Outbox outbox = outbox(member.loop());
        for (String frame : frames) {
            outbox.add(WebSocketFrames.text(frame), one);
        }
        metrics.framesOut(frames.size());
    }

    private Outbox outbox(EventExecutor loop) {
        Outbox outbox = outboxes.get(loop);
        return outbox != null ? outbox : outboxes.computeIfAbsent(loop, l -> new Outbox(l, pressure));
    }

    @Override
    public boolean hasMembers(String room) {
        return rooms.isActive(room);
    }

    @Override
    public void execute(ControlCommand command) {
        switch (command.type()) {
            case ControlCommand.DISCONNECT -> users.close(command.sub(), session -> true, CloseCodes.REVOKED,
                    "disconnected by an operator");
            case ControlCommand.REVOKE -> {
                Predicate<ClientSession> revoked = session -> revocations.isRevoked(session.token);
                if (command.jti() != null) {
                    // a token id says nothing about its user: every connection is checked
                    revocations.revokeToken(command.jti(), command.expiresAt());
                    users.close(revoked, CloseCodes.REVOKED, "token revoked");
                } else {
                    revocations.revokeUser(command.sub(), command.issuedBefore(), command.expiresAt());
                    users.close(command.sub(), revoked, CloseCodes.REVOKED, "token revoked");
                }
            }
            default -> {
                // a command of a newer node version: nothing this node knows how to do
            }
        }
    }
}
