package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.switchboard.cluster.LocalDelivery;
import io.switchboard.cluster.RoomMessage;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.LocalRooms;

/** Delivers a message to this node's members: encoded once, the same frame handed to each of them. */
@ApplicationScoped
public class Fanout implements LocalDelivery {
    private final LocalRooms rooms;

    public Fanout(LocalRooms rooms) {
        this.rooms = rooms;
    }

    @Override
    public void deliver(RoomMessage m) {
        if (rooms.isActive(m.room())) {
            rooms.deliver(m.room(), ServerFrames.message(m.room(), m.id(), m.from(), m.ts(), m.data()));
        }
    }
}
