package io.switchboard.rooms;

import java.util.Arrays;
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

    private final ConcurrentHashMap<String, Member[]> rooms = new ConcurrentHashMap<>();

    public void join(String room, Member member) {
        rooms.compute(room, (name, members) -> {
            if (members == null) {
                return new Member[] { member };
            }
            for (Member m : members) {
                if (m == member) {
                    return members;
                }
            }
            Member[] grown = Arrays.copyOf(members, members.length + 1);
            grown[members.length] = member;
            return grown;
        });
    }

    /** @return true when the room has no local member left */
    public boolean leave(String room, Member member) {
        boolean[] emptied = { false };
        rooms.computeIfPresent(room, (name, members) -> {
            int at = -1;
            for (int i = 0; i < members.length; i++) {
                if (members[i] == member) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                return members;
            }
            if (members.length == 1) {
                emptied[0] = true;
                return null;
            }
            Member[] shrunk = new Member[members.length - 1];
            System.arraycopy(members, 0, shrunk, 0, at);
            System.arraycopy(members, at + 1, shrunk, at, members.length - at - 1);
            return shrunk;
        });
        return emptied[0];
    }

    /** The room's current members (a snapshot: the array is never changed in place). */
    public Member[] members(String room) {
        return rooms.getOrDefault(room, EMPTY);
    }

    public boolean isActive(String room) {
        return rooms.containsKey(room);
    }

    public int activeRooms() {
        return rooms.size();
    }
}
