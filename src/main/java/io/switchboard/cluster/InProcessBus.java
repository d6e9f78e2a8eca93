package io.switchboard.cluster;

import io.smallrye.mutiny.Uni;

/** The single-node engine: there are no other nodes, so accepting a message is delivering it here. */
public final class InProcessBus implements Bus {
    private static final BusStatus STATUS = new BusStatus("in-process", true, 0, -1);

    private final LocalNode local;

    public InProcessBus(LocalNode local) {
        this.local = local;
    }

    @Override
    public Uni<Void> publish(RoomMessage message) {
        local.deliver(message.room(), message.frame(), message.ts(), false);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> roomChanged(String room) {
        return Uni.createFrom().voidItem();
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
