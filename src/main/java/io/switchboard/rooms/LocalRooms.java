package io.switchboard.rooms;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.netty.util.concurrent.EventExecutor;

/**
 * The rooms with members on this node. A room keeps its members grouped by the event loop that owns
 * their sockets, in arrays replaced on join and leave (copy on write): joins are rare next to
 * deliveries, and a delivery then hands each loop its whole group, a plain snapshot, with no lock,
 * no iterator and no per-member sorting.
 */
@ApplicationScoped
public class LocalRooms {
    private static final LoopMembers[] EMPTY = new LoopMembers[0];

    /** A room's members whose sockets one event loop owns. */
    public record LoopMembers(EventExecutor loop, Member[] members) {
    }

    /** A room's name as first joined, and its members by event loop. */
    private record Room(String name, LoopMembers[] byLoop) {
    }

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

    /**
     * @return the room's name as this node already holds it: a member keeps that one string in its
     *         own room table instead of the copy each join frame decodes
     */
    public String join(String room, Member member) {
        return rooms.compute(room, (name, current) -> current == null
                ? new Room(name, new LoopMembers[] { new LoopMembers(member.loop(), new Member[] { member }) })
                : new Room(current.name, joined(current.byLoop, member))).name;
    }

    /** @return true when the room has no local member left */
    public boolean leave(String room, Member member) {
        boolean[] emptied = { false };
        rooms.computeIfPresent(room, (name, current) -> {
            LoopMembers[] left = left(current.byLoop, member);
            emptied[0] = left == null;
            return left == null ? null : new Room(current.name, left);
        });
        return emptied[0];
    }

    /** The room's current members by event loop (a snapshot: the arrays are never changed in place). */
    public LoopMembers[] members(String room) {
        Room current = rooms.get(room);
        return current == null ? EMPTY : current.byLoop;
    }

    public boolean isActive(String room) {
        return rooms.containsKey(room);
    }

    public int activeRooms() {
        return rooms.size();
    }

    private static LoopMembers[] joined(LoopMembers[] byLoop, Member member) {
        EventExecutor loop = member.loop();
        for (int i = 0; i < byLoop.length; i++) {
            if (byLoop[i].loop == loop) {
                LoopMembers[] copy = byLoop.clone();
                copy[i] = new LoopMembers(loop, CopyOnWrite.with(byLoop[i].members, member));
                return copy;
            }
        }
        return CopyOnWrite.with(byLoop, new LoopMembers(loop, new Member[] { member }));
    }

    /** @return null when nobody is left */
    private static LoopMembers[] left(LoopMembers[] byLoop, Member member) {
        EventExecutor loop = member.loop();
        for (int i = 0; i < byLoop.length; i++) {
            if (byLoop[i].loop == loop) {
                Member[] members = CopyOnWrite.without(byLoop[i].members, member);
                if (members == byLoop[i].members) {
                    return byLoop;
                }
                if (members == null) {
                    return CopyOnWrite.without(byLoop, byLoop[i]);
                }
                LoopMembers[] copy = byLoop.clone();
                copy[i] = new LoopMembers(loop, members);
                return copy;
            }
        }
        return byLoop;
    }
}
