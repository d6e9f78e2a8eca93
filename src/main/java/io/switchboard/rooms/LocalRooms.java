package io.switchboard.rooms;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The rooms with members on this node. A room keeps its members grouped by the event loop that owns
 * their sockets, in arrays replaced on join and leave (copy on write): joins are rare next to
 * deliveries, and a delivery then hands each loop its whole group, a plain snapshot, with no lock,
 * no iterator and no per-member sorting.
 *
 * @param <M> the members, compared by identity; what a member is (a socket) is the transport's business
 */
public class LocalRooms<M> {

    /** A room's members whose sockets one event loop owns. */
    public record LoopMembers<M>(Executor loop, M[] members) {
    }

    /** A room's name as first joined, and its members by event loop. */
    private record Room<M>(String name, LoopMembers<M>[] byLoop) {
    }

    private final ConcurrentHashMap<String, Room<M>> rooms = new ConcurrentHashMap<>();
    private final Function<? super M, ? extends Executor> loopOf;
    private final IntFunction<M[]> arrays;
    private final LoopMembers<M>[] empty;

    /**
     * @param loopOf the event loop that owns a member's socket, asked on join and leave only
     * @param arrays makes the member arrays a delivery hands on as they are
     */
    public LocalRooms(Function<? super M, ? extends Executor> loopOf, IntFunction<M[]> arrays) {
        this.loopOf = loopOf;
        this.arrays = arrays;
        this.empty = groups(0);
    }

    /**
     * @return the room's name as this node already holds it: a member keeps that one string in its
     *         own room table instead of the copy each join frame decodes
     */
    public String join(String room, M member) {
        return rooms.compute(room, (name, current) -> current == null
                ? new Room<>(name, oneGroup(new LoopMembers<>(loopOf.apply(member), single(member))))
                : new Room<>(current.name, joined(current.byLoop, member))).name;
    }

    /** @return true when the room has no local member left */
    public boolean leave(String room, M member) {
        boolean[] emptied = { false };
        rooms.computeIfPresent(room, (name, current) -> {
            LoopMembers<M>[] left = left(current.byLoop, member);
            emptied[0] = left == null;
            return left == null ? null : new Room<>(current.name, left);
        });
        return emptied[0];
    }

    /** The room's current members by event loop (a snapshot: the arrays are never changed in place). */
    public LoopMembers<M>[] members(String room) {
        Room<M> current = rooms.get(room);
        return current == null ? empty : current.byLoop;
    }

    public boolean isActive(String room) {
        return rooms.containsKey(room);
    }

    public int activeRooms() {
        return rooms.size();
    }

    private LoopMembers<M>[] joined(LoopMembers<M>[] byLoop, M member) {
        Executor loop = loopOf.apply(member);
        for (int i = 0; i < byLoop.length; i++) {
            if (byLoop[i].loop == loop) {
                LoopMembers<M>[] copy = byLoop.clone();
                copy[i] = new LoopMembers<>(loop, CopyOnWrite.with(byLoop[i].members, member));
                return copy;
            }
        }
        return CopyOnWrite.with(byLoop, new LoopMembers<>(loop, single(member)));
    }

    /** @return null when nobody is left */
    private LoopMembers<M>[] left(LoopMembers<M>[] byLoop, M member) {
        Executor loop = loopOf.apply(member);
        for (int i = 0; i < byLoop.length; i++) {
            if (byLoop[i].loop == loop) {
                M[] members = CopyOnWrite.without(byLoop[i].members, member);
                if (members == byLoop[i].members) {
                    return byLoop;
                }
                if (members == null) {
                    return CopyOnWrite.without(byLoop, byLoop[i]);
                }
                LoopMembers<M>[] copy = byLoop.clone();
                copy[i] = new LoopMembers<>(loop, members);
                return copy;
            }
        }
        return byLoop;
    }

    private M[] single(M member) {
        M[] one = arrays.apply(1);
        one[0] = member;
        return one;
    }

    private LoopMembers<M>[] oneGroup(LoopMembers<M> group) {
        LoopMembers<M>[] one = groups(1);
        one[0] = group;
        return one;
    }

    @SuppressWarnings("unchecked")
    private static <M> LoopMembers<M>[] groups(int length) {
        return (LoopMembers<M>[]) new LoopMembers<?>[length];
    }
}
