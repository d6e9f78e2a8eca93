package io.switchboard.history;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.switchboard.protocol.Position;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * The single-node engine's histories, in memory: each room's last {@code history-size} messages,
 * none read once older than {@code history-ttl}, and the whole room dropped once it has not changed
 * for that long. Epochs are new at every start (a random base) and for every stream after a room's history
 * was dropped. Confined to the engine's context, like the {@link RoomStreams} it serves.
 */
public final class MemoryHistory implements HistoryStore {
    private final String base = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
    private long streams;
    private final Map<String, Room> rooms = new HashMap<>();

    private static final class Room {
        final String epoch;
        long offset;
        /** When the room last changed; it is dropped a TTL after that. */
        long touched;
        final ArrayDeque<Entry> entries = new ArrayDeque<>();

        Room(String epoch, long now) {
            this.epoch = epoch;
            this.touched = now;
        }
    }

    /** A stored message and the stream it was stored in. */
    public record Appended(String epoch, Entry entry) {
    }

    /** Assigns the message its offset and keeps it; {@code head + offset + tail} is its frame. */
    public Appended append(String room, HistorySpec spec, String head, String tail, long ts) {
        long now = System.currentTimeMillis();
        Room r = room(room, spec, now);
        r.touched = now;
        Entry entry = new Entry(++r.offset, ts, head + r.offset + tail);
        r.entries.addLast(entry);
        while (r.entries.size() > spec.size()) {
            r.entries.removeFirst();
        }
        return new Appended(r.epoch, entry);
    }

    @Override
    public void current(String room, HistorySpec spec, Handler<AsyncResult<Position>> done) {
        Room r = room(room, spec, System.currentTimeMillis());
        done.handle(Future.succeededFuture(new Position(r.epoch, r.offset)));
    }

    @Override
    public void range(String room, HistorySpec spec, String epoch, long from, long to,
            Handler<AsyncResult<List<Entry>>> done) {
        long now = System.currentTimeMillis();
        Room r = rooms.get(room);
        List<Entry> found = new ArrayList<>();
        if (r != null && r.epoch.equals(epoch) && !expired(r, spec, now)) {
            for (Entry entry : r.entries) {
                if (entry.offset() >= from && entry.offset() <= to && entry.ts() >= now - spec.ttlMillis()) {
                    found.add(entry);
                }
            }
        }
        done.handle(Future.succeededFuture(found));
    }

    /** Drops the rooms whose whole history expired, so memory follows only recently active rooms. */
    public void sweep(Function<String, HistorySpec> specs) {
        long now = System.currentTimeMillis();
        rooms.entrySet().removeIf(e -> {
            HistorySpec spec = specs.apply(e.getKey());
            return spec == null || expired(e.getValue(), spec, now);
        });
    }

    private Room room(String room, HistorySpec spec, long now) {
        Room r = rooms.get(room);
        if (r == null || expired(r, spec, now)) {
            r = new Room(base + "." + Long.toString(++streams, 36), now);
            rooms.put(room, r);
        }
        return r;
    }

    private static boolean expired(Room r, HistorySpec spec, long now) {
        return now - r.touched > spec.ttlMillis();
    }
}
