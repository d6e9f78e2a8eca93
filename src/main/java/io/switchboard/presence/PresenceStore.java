package io.switchboard.presence;

import java.util.List;
import java.util.Map;

import io.vertx.core.Future;

/**
 * Where the cluster's presence lives: each node writes its own connections and reads everyone's.
 * Every write is an absolute count, so repeating one (after a failure whose outcome is unknown) is
 * harmless. Every call also settles what is due in the room (ended graces, nodes that stopped
 * refreshing) and reports the users that became present or stopped being; each such change is
 * reported by exactly one call, on one node, which announces it.
 * <p>
 * Called on one Vert.x context only (the {@link Presence} service's), in order.
 */
public interface PresenceStore {

    /**
     * What a call changed: who became present, who stopped being.
     *
     * @param nextDueMillis in how many ms the room's earliest grace ends (-1: none), when it should be settled
     * @param lost this node's entries in the room were gone (its refresh came too late, or the store lost
     *        them): the node must write them again with {@link #resync}
     */
    record Changes(List<String> joined, List<String> parted, long nextDueMillis, boolean lost) {
    }

    /** A room's presence: {@code count} users, the first of them (by UTF-8 bytes) with their connections. */
    record Snapshot(long count, List<String> users, long[] connections, Changes changes) {
    }

    /**
     * This node now holds {@code connections} member connections of the user in the room.
     *
     * @param others whether this node holds connections of other users in the room: its entries
     *        should then be in the store already, and their absence means they were lost
     */
    Future<Changes> set(String room, String user, int connections, boolean others);

    /** Replaces this node's entries of the room with {@code local} (user to connections). */
    Future<Changes> resync(String room, Map<String, Integer> local);

    /**
     * Settles what is due in the room; with {@code alive}, also keeps this node's entries there
     * from expiring (a node refreshes every room it has entries in, a quarter of the timeout apart).
     */
    Future<Changes> refresh(String room, boolean alive);

    /** The room's presence, at most {@code limit} users listed. */
    Future<Snapshot> query(String room, int limit);

    /** Called once the store is reachable again after it was not: every room must be resynchronised. */
    void onReconnect(Runnable action);

    void close();
}
