package io.switchboard.presence;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import io.vertx.core.Future;

/**
 * The single-node store: this node's connections are all there is, kept in memory. A room's users
 * are kept sorted the way the answer lists them, so a query reads the first of them and the count
 * without sorting anything.
 */
final class MemoryPresenceStore implements PresenceStore {
    /** UTF-8 byte order is code point order, which differs from {@link String#compareTo} above U+FFFF. */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private static final class Room {
        /** User to connections; 0 while the user is in its grace. */
        final TreeMap<String, Integer> users = new TreeMap<>(UTF8_ORDER);
        /** Users in their grace, to the monotonic ms it ends. */
        final Map<String, Long> graceEnds = new HashMap<>();
    }

    private final long graceMillis;
    private final LongSupplier monotonicMillis;
    private final Map<String, Room> rooms = new HashMap<>();

    MemoryPresenceStore(long graceMillis, LongSupplier monotonicMillis) {
        this.graceMillis = graceMillis;
        this.monotonicMillis = monotonicMillis;
    }

    @Override
    public Future<Changes> set(String room, String user, int connections, boolean others) {
        Room r = rooms.computeIfAbsent(room, k -> new Room());
        List<String> joined = new ArrayList<>(1);
        List<String> parted = new ArrayList<>();
        long now = monotonicMillis.getAsLong();
        settle(r, now, parted);
        apply(r, user, connections, now, joined);
        return Future.succeededFuture(done(room, r, now, joined, parted));
    }

    @Override
    public Future<Changes> resync(String room, Map<String, Integer> local) {
        Room r = rooms.computeIfAbsent(room, k -> new Room());
        List<String> joined = new ArrayList<>();
        List<String> parted = new ArrayList<>();
        long now = monotonicMillis.getAsLong();
        settle(r, now, parted);
        for (String user : new ArrayList<>(r.users.keySet())) {
            if (!local.containsKey(user)) {
                apply(r, user, 0, now, joined);
            }
        }
        local.forEach((user, connections) -> apply(r, user, connections, now, joined));
        return Future.succeededFuture(done(room, r, now, joined, parted));
    }

    @Override
    public Future<Changes> refresh(String room, boolean alive) {
        Room r = rooms.get(room);
        if (r == null) {
            return Future.succeededFuture(new Changes(List.of(), List.of(), -1, false));
        }
        List<String> parted = new ArrayList<>();
        long now = monotonicMillis.getAsLong();
        settle(r, now, parted);
        return Future.succeededFuture(done(room, r, now, List.of(), parted));
    }

    @Override
    public Future<Snapshot> query(String room, int limit) {
        Room r = rooms.get(room);
        if (r == null) {
            return Future.succeededFuture(new Snapshot(0, List.of(), new long[0], new Changes(List.of(), List.of(), -1, false)));
        }
        List<String> parted = new ArrayList<>();
        long now = monotonicMillis.getAsLong();
        settle(r, now, parted);
        int listed = Math.min(limit, r.users.size());
        List<String> users = new ArrayList<>(listed);
        long[] connections = new long[listed];
        for (Map.Entry<String, Integer> entry : r.users.entrySet()) {
            if (users.size() == listed) {
                break;
            }
            connections[users.size()] = entry.getValue();
            users.add(entry.getKey());
        }
        long count = r.users.size();
        return Future.succeededFuture(new Snapshot(count, users, connections, done(room, r, now, List.of(), parted)));
    }

    /** Nothing to reconnect to. */
    @Override
    public void onReconnect(Runnable action) {
    }

    @Override
    public void close() {
    }

    private void apply(Room r, String user, int connections, long now, List<String> joined) {
        Integer old = r.users.get(user);
        if (connections > 0) {
            r.users.put(user, connections);
            if (old == null) {
                joined.add(user);
            } else if (old == 0) {
                r.graceEnds.remove(user); // back within the grace: no event
            }
        } else if (old != null && old > 0) {
            r.users.put(user, 0);
            r.graceEnds.put(user, now + graceMillis);
        }
    }

    private static void settle(Room r, long now, List<String> parted) {
        for (Iterator<Map.Entry<String, Long>> it = r.graceEnds.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Long> grace = it.next();
            if (grace.getValue() <= now) {
                it.remove();
                r.users.remove(grace.getKey());
                parted.add(grace.getKey());
            }
        }
    }

    private Changes done(String room, Room r, long now, List<String> joined, List<String> parted) {
        long nextDue = -1;
        for (long ends : r.graceEnds.values()) {
            nextDue = nextDue < 0 ? ends - now : Math.min(nextDue, ends - now);
        }
        if (r.users.isEmpty()) {
            rooms.remove(room);
        }
        return new Changes(joined, parted, nextDue, false);
    }
}
