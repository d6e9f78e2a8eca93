package io.switchboard.cluster;

import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.switchboard.history.HistoryJoin;
import io.switchboard.history.MemoryHistory;
import io.switchboard.history.RoomStreams;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.HistorySpec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The single-node engine: there are no other nodes, so accepting a message is delivering it here.
 * History rooms are kept in memory and sequenced on one context, where offsets are assigned in the
 * order messages are accepted.
 */
public final class InProcessBus implements Bus {
    private static final BusStatus STATUS = new BusStatus("in-process", true, 0, -1);
    private static final long SWEEP_MILLIS = 60_000;

    private final LocalNode local;
    private final Function<String, HistorySpec> histories;
    private final Context context;
    private final MemoryHistory memory = new MemoryHistory();
    private final RoomStreams streams;

    public InProcessBus(LocalNode local, Vertx vertx, Function<String, HistorySpec> histories) {
        this.local = local;
        this.histories = histories;
        this.context = vertx.getOrCreateContext();
        this.streams = new RoomStreams(memory, local, vertx, this::releaseIfEmpty);
        context.runOnContext(v -> vertx.setPeriodic(SWEEP_MILLIS, id -> memory.sweep(histories)));
    }

    @Override
    public Uni<Long> publish(RoomMessage message, boolean awaitOffset) {
        HistorySpec spec = histories.apply(message.room());
        // only message frames are numbered; presence events of a history room are delivered as they come
        if (spec == null || !ServerFrames.isMessage(message.frame())) {
            local.deliver(message.room(), message.frame(), message.ts(), false);
            return Uni.createFrom().item(0L);
        }
        String head = ServerFrames.offsetHead(message.frame());
        String tail = ServerFrames.offsetTail(message.frame());
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> {
            MemoryHistory.Appended appended = memory.append(message.room(), spec, head, tail, message.ts());
            streams.live(message.room(), appended.epoch(), appended.entry().offset(), message.ts(),
                    appended.entry().frame(), false);
            emitter.complete(appended.entry().offset());
        }));
    }

    @Override
    public Uni<Void> roomChanged(String room) {
        if (histories.apply(room) != null) {
            context.runOnContext(v -> releaseIfEmpty(room));
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public void joinHistory(HistoryJoin join) {
        context.runOnContext(v -> {
            streams.open(join);
            streams.join(join);
        });
    }

    private void releaseIfEmpty(String room) {
        if (!local.hasMembers(room) && !streams.wants(room)) {
            streams.release(room);
        }
    }

    @Override
    public Uni<Void> broadcast(ControlCommand command) {
        local.execute(command);
        return Uni.createFrom().voidItem();
    }

    @Override
    public BusStatus status() {
        return STATUS;
    }
}
