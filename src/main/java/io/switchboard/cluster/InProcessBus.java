package io.switchboard.cluster;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;

/** The single-node engine: there are no other nodes, so accepting a message is delivering it here. */
@DefaultBean
@ApplicationScoped
public class InProcessBus implements Bus {
    private final LocalDelivery local;

    public InProcessBus(LocalDelivery local) {
        this.local = local;
    }

    @Override
    public Uni<Void> publish(RoomMessage message) {
        local.deliver(message);
        return Uni.createFrom().voidItem();
    }

    @Override
    public void roomActivated(String room) {
        // nothing to subscribe to: every message is already local
    }

    @Override
    public void roomDeactivated(String room) {
        // nothing to unsubscribe from
    }
}
