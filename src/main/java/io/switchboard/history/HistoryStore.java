package io.switchboard.history;

import java.util.List;

import io.switchboard.protocol.Position;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;

/**
 * Where an engine keeps the rooms' histories. Both reads answer on the context of the
 * {@link RoomStreams} they serve.
 */
public interface HistoryStore {

    /** One stored message: its offset, when it was accepted (epoch ms), and its finished frame. */
    record Entry(long offset, long ts, String frame) {
    }

    /**
     * The room's current stream: its epoch and the offset of its last message. A room without a
     * stream gets a new, empty one (offset 0), so a join always has a position to answer with.
     */
    void current(String room, HistorySpec spec, Handler<AsyncResult<Position>> done);

    /**
     * The messages with offsets {@code from..to} of the stream named {@code epoch} that are still
     * held (neither trimmed by size nor older than the TTL), in offset order; none when that stream
     * is gone.
     */
    void range(String room, HistorySpec spec, String epoch, long from, long to, Handler<AsyncResult<List<Entry>>> done);
}
