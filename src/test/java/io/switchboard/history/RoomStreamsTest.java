package io.switchboard.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.protocol.Position;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * The sequencing of {@link RoomStreams} against a scripted store whose reads the test answers when
 * it chooses: jumps repaired from the store, gaps for what it lacks, resets on a new epoch, and
 * joins and messages that arrive while a read is in flight. The real stores have their own tests
 * (HistoryTest in memory, RedisHistoryIT against Redis).
 */
class RoomStreamsTest {
    private static final String ROOM = "hist:r";
    private static final HistorySpec SPEC = new HistorySpec(100, 60_000);

    private final Vertx vertx = Vertx.vertx();
    private final List<String> delivered = new ArrayList<>();
    private final ScriptedStore store = new ScriptedStore();
    private final List<String> idle = new ArrayList<>();
    private final RoomStreams streams = new RoomStreams(store, new Recorder(), vertx, idle::add);

    @AfterEach
    void close() {
        vertx.close();
    }

    /** The stream "E" with offsets 1..n, whose reads wait until {@link #answer} is called. */
    private static final class ScriptedStore implements HistoryStore {
        String epoch = "E";
        final TreeMap<Long, String> entries = new TreeMap<>();
        final List<Runnable> waiting = new ArrayList<>();

        @Override
        public void current(String room, HistorySpec spec, Handler<AsyncResult<Position>> done) {
            waiting.add(() -> done.handle(Future.succeededFuture(new Position(epoch, entries.isEmpty() ? 0 : entries.lastKey()))));
        }

        @Override
        public void range(String room, HistorySpec spec, String e, long from, long to, Handler<AsyncResult<List<Entry>>> done) {
            waiting.add(() -> done.handle(Future.succeededFuture(!e.equals(epoch) ? List.of()
                    : entries.subMap(from, true, to, true).entrySet().stream()
                            .map(x -> new Entry(x.getKey(), 0, x.getValue())).toList())));
        }
    }

    private final class Recorder implements LocalDelivery {
        @Override
        public void deliver(String room, String frame, long publishedAt, boolean remote) {
            delivered.add(frame);
        }
    }

    private static final class Join extends HistoryJoin {
        final List<Object> admitted = new ArrayList<>();

        Join(Position since) {
            super(ROOM, SPEC, since);
        }

        @Override
        public boolean admit(Position position, Boolean recovered, List<String> replay) {
            admitted.add(position);
            admitted.add(recovered);
            admitted.add(replay);
            return true;
        }

        @Override
        public void refuse(String reason) {
            admitted.add("refused: " + reason);
        }
    }

    /** Answers every read waiting, and the reads those answers cause, until none is left. */
    private void answerAll() {
        while (!store.waiting.isEmpty()) {
            store.waiting.remove(0).run();
        }
    }

    private void publish(long offset) {
        store.entries.put(offset, "m" + offset);
    }

    private void live(long offset) {
        streams.live(ROOM, store.epoch, offset, 0, "m" + offset, true);
    }

    private Join joined(Position since) {
        Join join = new Join(since);
        streams.open(join);
        streams.join(join);
        answerAll();
        return join;
    }

    @Test
    void aJumpIsFilledFromTheStoreAndWhatItLacksIsOneGapInPlace() {
        publish(1);
        Join first = joined(null);
        assertEquals(new Position("E", 1), first.admitted.get(0));
        publish(2);
        publish(3);
        publish(5);
        publish(6);
        live(6); // 2..5 missed: 2 and 3 are in the store, 4 is not, 5 is
        answerAll();
        assertEquals(List.of("m2", "m3", "{\"op\":\"gap\",\"room\":\"hist:r\",\"from\":4,\"to\":4}", "m5", "m6"), delivered);
        live(5);
        live(7);
        assertEquals("m7", delivered.get(delivered.size() - 1), "an old offset is dropped, the next one delivered at once");
        assertEquals(6, delivered.size());
    }

    @Test
    void messagesArrivingDuringARecoveryReadFollowTheReplayAndAJoinGetsThemOnce() {
        publish(1);
        publish(2);
        joined(null);
        publish(3);
        publish(4);
        live(3);
        live(4);
        delivered.clear();
        Join late = new Join(new Position("E", 2));
        streams.open(late);
        streams.join(late); // reads 3..4 for the replay
        publish(5);
        live(5); // waits behind the read
        assertTrue(delivered.isEmpty(), delivered.toString());
        answerAll();
        assertEquals(List.of(new Position("E", 2), true, List.of("m3", "m4")), late.admitted);
        assertEquals(List.of("m5"), delivered, "after the join, in order");
    }

    @Test
    void aNewEpochIsAnnouncedWithResetBeforeItsFirstMessage() {
        publish(1);
        joined(null);
        store.epoch = "F";
        store.entries.clear();
        publish(1);
        live(1);
        assertEquals(List.of("{\"op\":\"reset\",\"room\":\"hist:r\",\"position\":{\"epoch\":\"F\",\"offset\":0}}", "m1"), delivered);
    }

    @Test
    void aRebuiltSubscriptionReadsWhatWasPublishedMeanwhile() {
        publish(1);
        joined(null);
        publish(2);
        publish(3);
        streams.subscribed(ROOM);
        answerAll();
        assertEquals(List.of("m2", "m3"), delivered);
    }

    @Test
    void messagesBeyondTheQueueBoundAreReadBackNotLost() {
        publish(1);
        joined(null);
        publish(2);
        live(3); // 2 missed: a read starts, the room's messages queue behind it
        publish(3);
        int beyond = RoomStreams.MAX_QUEUED + 10;
        for (long offset = 4; offset <= 3 + beyond; offset++) {
            publish(offset);
            live(offset);
        }
        answerAll();
        publish(4 + beyond);
        live(4 + beyond); // jumps over the dropped ones, which are read back
        answerAll();
        assertEquals(3 + beyond, delivered.size());
        for (int i = 0; i < delivered.size(); i++) {
            assertEquals("m" + (i + 2), delivered.get(i));
        }
    }

    @Test
    void aJoinWithSinceTooFarBehindOrOfAnotherEpochIsNotRecovered() {
        for (long offset = 1; offset <= 150; offset++) {
            publish(offset);
        }
        Join behind = joined(new Position("E", 10));
        assertEquals(List.of(new Position("E", 150), false, List.of()), behind.admitted);
        Join other = joined(new Position("X", 150));
        assertEquals(List.of(new Position("E", 150), false, List.of()), other.admitted);
        store.entries.remove(140L);
        Join holed = joined(new Position("E", 120));
        assertEquals(List.of(new Position("E", 150), false, List.of()), holed.admitted, "all or nothing");
        assertTrue(idle.isEmpty());
    }
}
