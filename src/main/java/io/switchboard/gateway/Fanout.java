package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import io.switchboard.auth.Revocations;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.LocalNode;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.rooms.LocalRooms;

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

    @Override
    public void deliver(String room, String frame, long publishedAt, boolean remote) {
        metrics.delivered(rooms.deliver(room, frame), publishedAt, remote);
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
