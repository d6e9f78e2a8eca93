package io.switchboard.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.switchboard.protocol.Position;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.Vertx;

/**
 * This node's view of each history room it serves (PROTOCOL section 8): the stream's epoch and the
 * last offset handed to the room's members. Messages, joins and resynchronisations of a room are
 * applied one at a time, in order; while one of them waits for the store, what arrives for the room
 * waits behind it. So members get every offset once, in order: a message whose offset jumps ahead is
 * preceded by the missed ones read from the store, or by a {@code gap} for those the store no
 * longer holds; a new epoch is announced with {@code reset}; and a join's position, replay and
 * membership fall between two deliveries.
 * <p>
 * Confined to one Vert.x context: every method must be called on it.
 */
public final class RoomStreams {
    private static final Logger LOG = Logger.getLogger(RoomStreams.class);
    /** Messages held per room while the store is read; beyond, they are dropped and read back later. */
    static final int MAX_QUEUED = 10_000;
    private static final long RETRY_MILLIS = 500;
    private static final Object RESYNC = new Object();

    private final HistoryStore store;
    private final LocalDelivery local;
    private final Vertx vertx;
    private final Consumer<String> idle;
    private final Map<String, Stream> streams = new HashMap<>();

    private record Live(String epoch, long offset, long ts, String frame, boolean remote) {
    }

    private static final class Stream {
        final String room;
        final HistorySpec spec;
        /** Null until the stream was first read from the store. */
        String epoch;
        long delivered;
        /** Waiting for the store; what arrives meanwhile is queued. */
        boolean busy;
        boolean resyncQueued;
        int pendingJoins;
        final ArrayDeque<Object> queue = new ArrayDeque<>();

        Stream(String room, HistorySpec spec) {
            this.room = room;
            this.spec = spec;
        }
    }

    /**
     * @param idle told the room's name when a join was refused or withdrawn and no other join is
     *        pending, so the engine can let go of a room that has no member
     */
    public RoomStreams(HistoryStore store, LocalDelivery local, Vertx vertx, Consumer<String> idle) {
        this.store = store;
        this.local = local;
        this.vertx = vertx;
        this.idle = idle;
    }

    /** A join is on its way (e.g. waiting for the room's subscription); the room is kept meanwhile. */
    public void open(HistoryJoin join) {
        streams.computeIfAbsent(join.room(), room -> new Stream(room, join.spec())).pendingJoins++;
    }

    /** The room's traffic reaches this node: carry out the join opened before. */
    public void join(HistoryJoin join) {
        Stream s = streams.get(join.room());
        if (s == null) {
            join.refuse("the room was released");
            return;
        }
        if (s.epoch == null && !s.resyncQueued) {
            s.resyncQueued = true;
            s.queue.add(RESYNC);
        }
        s.queue.add(join);
        pump(s);
    }

    /** A join opened before will not be carried out (its subscription was not confirmed in time). */
    public void withdraw(HistoryJoin join, String reason) {
        Stream s = streams.get(join.room());
        if (s != null) {
            s.pendingJoins--;
        }
        join.refuse(reason);
        idleIfUnwanted(join.room(), s);
    }

    /** Whether joins of the room are pending, so its traffic must still be received. */
    public boolean wants(String room) {
        Stream s = streams.get(room);
        return s != null && s.pendingJoins > 0;
    }

    /** The room has neither members nor pending joins here: forget it. */
    public void release(String room) {
        streams.remove(room);
    }

    /**
     * The room's subscription was (re)confirmed: whatever was published while it was down is read
     * from the store and delivered before anything newer.
     */
    public void subscribed(String room) {
        Stream s = streams.get(room);
        if (s != null && s.epoch != null && !s.resyncQueued) {
            s.resyncQueued = true;
            s.queue.add(RESYNC);
            pump(s);
        }
    }

    /** A message of the room with its assigned offset. */
    public void live(String room, String epoch, long offset, long ts, String frame, boolean remote) {
        Stream s = streams.get(room);
        if (s == null) {
            return;
        }
        if (!s.busy && s.queue.isEmpty()) {
            live(s, new Live(epoch, offset, ts, frame, remote));
        } else if (s.queue.size() < MAX_QUEUED) {
            s.queue.add(new Live(epoch, offset, ts, frame, remote));
        } else {
            // Dropped here, read back from the store: the next message's offset jumps over it.
            LOG.debugf("room %s: queue full while the history is read; offset %d will be read back", room, offset);
        }
    }

    private void pump(Stream s) {
        while (!s.busy && !s.queue.isEmpty() && streams.get(s.room) == s) {
            Object next = s.queue.poll();
            if (next == RESYNC) {
                s.resyncQueued = false;
                resync(s);
            } else if (next instanceof Live live) {
                live(s, live);
            } else {
                join(s, (HistoryJoin) next);
            }
        }
    }

    private void live(Stream s, Live live) {
        if (s.epoch == null) {
            return; // never read: nobody is a member yet, and the first read gives the position
        }
        if (!live.epoch.equals(s.epoch)) {
            newEpoch(s, live.epoch);
        }
        if (live.offset <= s.delivered) {
            return; // already delivered (read from the store, or a copy)
        }
        if (live.offset == s.delivered + 1) {
            s.delivered = live.offset;
            local.deliver(s.room, live.frame, live.ts, live.remote);
            return;
        }
        // Offsets were missed: read them first, then this one.
        s.queue.addFirst(live);
        catchUp(s, live.offset - 1);
    }

    private void newEpoch(Stream s, String epoch) {
        s.epoch = epoch;
        s.delivered = 0;
        local.deliver(s.room, ServerFrames.reset(s.room, epoch), System.currentTimeMillis(), false);
    }

    /** Delivers offsets after {@code delivered} up to {@code to} from the store; {@code gap} for what it lacks. */
    private void catchUp(Stream s, long to) {
        s.busy = true;
        String epoch = s.epoch;
        store.range(s.room, s.spec, epoch, s.delivered + 1, to, ar -> {
            if (streams.get(s.room) != s) {
                return;
            }
            if (ar.failed()) {
                LOG.debugf("room %s: history read failed (%s); retrying", s.room, ar.cause().getMessage());
                vertx.setTimer(RETRY_MILLIS, id -> {
                    if (streams.get(s.room) == s) {
                        catchUp(s, to);
                    }
                });
                return;
            }
            for (HistoryStore.Entry entry : ar.result()) {
                if (entry.offset() > s.delivered && entry.offset() <= to) {
                    gap(s, entry.offset() - 1);
                    s.delivered = entry.offset();
                    local.deliver(s.room, entry.frame(), entry.ts(), true);
                }
            }
            gap(s, to);
            s.busy = false;
            pump(s);
        });
    }

    /** Announces offsets after {@code delivered} up to {@code to} as lost, if there are any. */
    private void gap(Stream s, long to) {
        if (to > s.delivered) {
            local.deliver(s.room, ServerFrames.gap(s.room, s.delivered + 1, to), System.currentTimeMillis(), false);
            s.delivered = to;
        }
    }

    private void resync(Stream s) {
        s.busy = true;
        store.current(s.room, s.spec, ar -> {
            if (streams.get(s.room) != s) {
                return;
            }
            if (ar.failed()) {
                if (s.epoch == null) {
                    // Never read: the joins waiting for it are refused rather than kept waiting.
                    s.busy = false;
                    refuseQueuedJoins(s, "the room's history is unreachable");
                    return;
                }
                vertx.setTimer(RETRY_MILLIS, id -> {
                    if (streams.get(s.room) == s) {
                        resync(s);
                    }
                });
                return;
            }
            Position current = ar.result();
            if (s.epoch == null) {
                s.epoch = current.epoch();
                s.delivered = current.offset();
            } else {
                if (!current.epoch().equals(s.epoch)) {
                    newEpoch(s, current.epoch());
                }
                if (current.offset() > s.delivered) {
                    catchUp(s, current.offset());
                    return;
                }
            }
            s.busy = false;
            pump(s);
        });
    }

    private void refuseQueuedJoins(Stream s, String reason) {
        List<HistoryJoin> refused = new ArrayList<>();
        s.queue.removeIf(item -> item instanceof HistoryJoin join && refused.add(join));
        s.pendingJoins -= refused.size();
        refused.forEach(join -> join.refuse(reason));
        idleIfUnwanted(s.room, s);
        pump(s);
    }

    private void join(Stream s, HistoryJoin join) {
        s.pendingJoins--;
        Position since = join.since();
        Position current = new Position(s.epoch, s.delivered);
        if (since == null) {
            admit(s, join, current, null, List.of());
        } else if (!since.epoch().equals(s.epoch) || since.offset() > s.delivered
                || s.delivered - since.offset() > s.spec.size()) {
            admit(s, join, current, false, List.of());
        } else if (since.offset() == s.delivered) {
            admit(s, join, since, true, List.of());
        } else {
            s.busy = true;
            long from = since.offset() + 1;
            store.range(s.room, s.spec, s.epoch, from, s.delivered, ar -> {
                if (streams.get(s.room) != s) {
                    join.refuse("the room was released");
                    return;
                }
                s.busy = false;
                if (ar.failed()) {
                    join.refuse("the room's history is unreachable");
                    idleIfUnwanted(s.room, s);
                } else if (complete(ar.result(), from, s.delivered)) {
                    admit(s, join, since, true, ar.result().stream().map(HistoryStore.Entry::frame).toList());
                } else {
                    admit(s, join, current, false, List.of());
                }
                pump(s);
            });
        }
    }

    private static boolean complete(List<HistoryStore.Entry> entries, long from, long to) {
        if (entries.size() != to - from + 1) {
            return false;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).offset() != from + i) {
                return false;
            }
        }
        return true;
    }

    private void admit(Stream s, HistoryJoin join, Position position, Boolean recovered, List<String> replay) {
        if (!join.admit(position, recovered, replay)) {
            idleIfUnwanted(s.room, s);
        }
    }

    private void idleIfUnwanted(String room, Stream s) {
        if (s != null && s.pendingJoins == 0) {
            idle.accept(room);
        }
    }
}
