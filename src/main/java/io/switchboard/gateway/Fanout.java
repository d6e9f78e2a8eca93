package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

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

    public Fanout(LocalRooms rooms, LocalUsers users, GatewayMetrics metrics) {
        this.rooms = rooms;
        this.users = users;
        this.metrics = metrics;
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
        if (ControlCommand.DISCONNECT.equals(command.type())) {
            users.closeAll(command.sub(), CloseCodes.REVOKED, "disconnected by an operator");
        }
    }
}
