package io.switchboard.rooms;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The rooms with members on this node. Each room keeps its members in an array that is replaced on
 * join and leave (copy on write): joins are rare next to deliveries, and a delivery then walks a
 * plain array snapshot with no lock and no iterator allocation.
 */
@ApplicationScoped
public class LocalRooms {
    private static final Member[] EMPTY = new Member[0];

    /** A room's name as first joined, and its members. */
    private record Room(String name, Member[] members) {
    }

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

    /**
     * @return the room's name as this node already holds it: a member keeps that one string in its
     *         own room table instead of the copy each join frame decodes
     */
    public String join(String room, Member member) {
        return rooms.compute(room, (name, current) -> current == null
                ? new Room(name, new Member[] { member })
                : new Room(current.name, CopyOnWrite.with(current.members, member))).name;
    }

    /** @return true when the room has no local member left */
    public boolean leave(String room, Member member) {
        boolean[] emptied = { false };
        rooms.computeIfPresent(room, (name, current) -> {
            Member[] left = CopyOnWrite.without(current.members, member);
            emptied[0] = left == null;
            return left == null ? null : new Room(current.name, left);
        });
        return emptied[0];
    }

    /** The room's current members (a snapshot: the array is never changed in place). */
    public Member[] members(String room) {
        Room current = rooms.get(room);
        return current == null ? EMPTY : current.members;
    }

    public boolean isActive(String room) {
        return rooms.containsKey(room);
    }

    public int activeRooms() {
        return rooms.size();
    }
}
