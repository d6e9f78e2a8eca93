package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.LocalNode;
import io.switchboard.protocol.CloseCodes;
import io.switchboard.rooms.LocalRooms;

/** This node as the bus sees it: encoded frames go to the room's members, commands to the users. */
@ApplicationScoped
public class Fanout implements LocalNode {
    private final LocalRooms rooms;
    private final LocalUsers users;

    public Fanout(LocalRooms rooms, LocalUsers users) {
        this.rooms = rooms;
        this.users = users;
    }

    @Override
    public void deliver(String room, String frame) {
        rooms.deliver(room, frame);
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
