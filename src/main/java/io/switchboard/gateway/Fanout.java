package io.switchboard.gateway;

import java.util.List;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;

import io.netty.buffer.ByteBuf;
import io.switchboard.auth.Revocations;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.LocalNode;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.Disconnect;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.CopyOnWrite;
import io.switchboard.rooms.LocalRooms;
import io.switchboard.transport.LoopPressure;
import io.switchboard.transport.Member;
import io.switchboard.transport.Outboxes;
import io.switchboard.transport.WebSocketFrames;

/** This node as the bus sees it: encoded frames go to the room's members, commands to the users. */
@Startup
@ApplicationScoped
public class Fanout implements LocalNode {
    private static final Logger LOG = Logger.getLogger(Fanout.class);
    /** The local members of each room, grouped by the event loop that owns their sockets. */
    private final LocalRooms<Member> rooms = new LocalRooms<>(Member::loop, Member[]::new);
    private final LocalUsers users;
    private final GatewayMetrics metrics;
    private final Revocations revocations;
    private final Outboxes outboxes;

    public Fanout(LocalUsers users, GatewayMetrics metrics, Revocations revocations, LimitsConfig limits) {
        this.users = users;
        this.metrics = metrics;
        this.revocations = revocations;
        this.outboxes = new Outboxes(limits.loopQueueBytes());
        metrics.gauge("switchboard.rooms.active", "Rooms with members on this node", rooms::activeRooms);
        metrics.gauge("switchboard.loop.queued.bytes", "Bytes of room messages waiting for the event loops",
                outboxes::waiting);
        metrics.gauge("switchboard.loops.behind", "Event loops over half their queue bound (clients are not read)",
                outboxes.pressure()::loopsBehind);
    }

    /** The rooms a connection joins and leaves, whose members this delivers to. */
    LocalRooms<Member> rooms() {
        return rooms;
    }

    /** The loops' back-pressure, which the endpoint applies to the clients it reads. */
    LoopPressure pressure() {
        return outboxes.pressure();
    }

    /**
     * One message to this node's members: encoded once, as a whole WebSocket frame, into a direct
     * buffer that every member's socket shares, and handed to each event loop that owns members of
     * the room as one entry in that loop's outbox ({@link Outboxes}): the work here is per room and
     * per loop, never per member.
     */
    @Override
    public void deliver(String room, String frame, long publishedAt, boolean remote) {
        LocalRooms.LoopMembers<Member>[] byLoop = rooms.members(room);
        if (byLoop.length == 0) {
            return;
        }
        ByteBuf bytes = WebSocketFrames.text(frame);
        // a presence event goes to every member connection of other users
        ClientSession[] excluded = excluded(ServerFrames.presenceSubject(frame));
        int delivered = 0;
        for (LocalRooms.LoopMembers<Member> group : byLoop) {
            Member[] members = excluded == null ? group.members() : without(group.members(), excluded);
            if (members.length > 0) {
                delivered += members.length;
                outboxes.add(group.loop(), bytes.retain(), members);
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
            kept = CopyOnWrite.without(kept, session.member());
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
        for (String frame : frames) {
            outboxes.add(member.loop(), WebSocketFrames.text(frame), one);
        }
        metrics.framesOut(frames.size());
    }

    @Override
    public boolean hasMembers(String room) {
        return rooms.isActive(room);
    }

    @Override
    public void execute(ControlCommand command) {
        Predicate<ClientSession> revoked = session -> revocations.isRevoked(session.token());
        if (command instanceof ControlCommand.Disconnect disconnect) {
            users.close(disconnect.sub(), session -> true, Disconnect.BY_OPERATOR);
        } else if (command instanceof ControlCommand.RevokeToken token) {
            // a token id says nothing about its user: every connection is checked
            revocations.revokeToken(token.jti(), token.expiresAt());
            users.close(revoked, Disconnect.TOKEN_REVOKED);
        } else if (command instanceof ControlCommand.RevokeUser user) {
            revocations.revokeUser(user.sub(), user.issuedBefore(), user.expiresAt());
            users.close(user.sub(), revoked, Disconnect.TOKEN_REVOKED);
        } else if (command instanceof ControlCommand.Unknown unknown) {
            LOG.debugf("ignored a control command of type %s, unknown to this node (a newer node's)", unknown.type());
        }
    }
}
