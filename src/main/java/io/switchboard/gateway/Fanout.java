package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.switchboard.auth.Revocations;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.LocalNode;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.protocol.WebSocketFrames;
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

    public Fanout(LocalRooms rooms, LocalUsers users, GatewayMetrics metrics, Revocations revocations) {
        this.rooms = rooms;
        this.users = users;
        this.metrics = metrics;
        this.revocations = revocations;
        metrics.gauge("switchboard.rooms.active", "Rooms with members on this node", rooms::activeRooms);
    }

    /**
     * One message to this node's members: encoded once, as a whole WebSocket frame, into a direct
     * buffer that every member's socket shares. Members whose socket is on the current event loop are written at
     * once; the rest get one task per event loop, not one per member, so there is no cross-thread
     * hand-off and no wake-up per delivery.
     */
    @Override
    public void deliver(String room, String frame, long publishedAt, boolean remote) {
        Member[] members = rooms.members(room);
        if (members.length == 0) {
            return;
        }
        ByteBuf bytes = WebSocketFrames.text(frame);
        Map<EventExecutor, List<Member>> elsewhere = null;
        for (Member member : members) {
            EventExecutor loop = member.loop();
            if (loop.inEventLoop()) {
                member.deliver(bytes);
            } else {
                if (elsewhere == null) {
                    elsewhere = new HashMap<>(4);
                }
                elsewhere.computeIfAbsent(loop, l -> new ArrayList<>()).add(member);
            }
        }
        if (elsewhere != null) {
            elsewhere.forEach((loop, onLoop) -> {
                bytes.retain();
                loop.execute(() -> {
                    try {
                        onLoop.forEach(member -> member.deliver(bytes));
                    } finally {
                        bytes.release();
                    }
                });
            });
        }
        bytes.release();
        metrics.delivered(members.length, publishedAt, remote);
    }

    @Override
    public boolean hasMembers(String room) {
        return rooms.isActive(room);
    }

    @Override
    public void execute(ControlCommand command) {
        switch (command.type()) {
            case ControlCommand.DISCONNECT -> users.close(s -> s.token.sub().equals(command.sub()), CloseCodes.REVOKED,
                    "disconnected by an operator");
            case ControlCommand.REVOKE -> {
                if (command.jti() != null) {
                    revocations.revokeToken(command.jti(), command.expiresAt());
                } else {
                    revocations.revokeUser(command.sub(), command.issuedBefore(), command.expiresAt());
                }
                users.close(s -> revocations.isRevoked(s.token), CloseCodes.REVOKED, "token revoked");
            }
            default -> {
                // a command of a newer node version: nothing this node knows how to do
            }
        }
    }
}
