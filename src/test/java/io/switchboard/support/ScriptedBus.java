package io.switchboard.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.mutiny.Uni;
import io.switchboard.cluster.Bus;
import io.switchboard.cluster.BusStatus;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.InProcessBus;
import io.switchboard.cluster.LocalNode;
import io.switchboard.cluster.RoomMessage;
import io.switchboard.history.HistoryJoin;
import io.switchboard.rooms.RoomRules;
import io.vertx.core.Vertx;

/**
 * A {@link Bus} whose answers the test scripts, like centrifuge's TestBroker: subscriptions, publishes
 * and broadcasts refused or failing, subscriptions held until the test confirms them, a status
 * reported. Whatever is not scripted is answered by the real in-process engine, so the gateway above
 * works as usual. It drives the failure paths above the bus in fast tests; the Redis engine has its
 * own tests against real Redis servers.
 * <p>
 * An {@code @Alternative} that only {@link Profile} enables, so no other test sees it.
 */
@Alternative
@Singleton
public class ScriptedBus implements Bus {
    private final LocalNode local;
    private final InProcessBus engine;
    private volatile Throwable subscriptionFailure;
    private volatile boolean holdSubscriptions;
    private volatile Throwable publishFailure;
    private volatile Throwable broadcastFailure;
    private volatile BusStatus status;
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private final List<ControlCommand> broadcasts = new ArrayList<>();

    /** Selects this bus in place of the one {@code BusProducer} makes. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(ScriptedBus.class);
        }
    }

    public ScriptedBus(LocalNode local, Vertx vertx, RoomRules rules) {
        this.local = local;
        this.engine = new InProcessBus(local, vertx, rules::history);
    }

    /** Joins that need the room's traffic (a first member here, or a history join) are refused with it. */
    public void failSubscriptions(Throwable failure) {
        subscriptionFailure = failure;
    }

    /** Such joins wait until {@link #confirmHeld()}. */
    public void holdSubscriptions() {
        holdSubscriptions = true;
    }

    public void failPublishes(Throwable failure) {
        publishFailure = failure;
    }

    public void failBroadcasts(Throwable failure) {
        broadcastFailure = failure;
    }

    public void reportStatus(BusStatus scripted) {
        status = scripted;
    }

    /** Subscriptions waiting for {@link #confirmHeld()}. */
    public int heldSubscriptions() {
        synchronized (held) {
            return held.size();
        }
    }

    /** Confirms every held subscription. */
    public void confirmHeld() {
        List<CompletableFuture<Void>> now;
        synchronized (held) {
            now = List.copyOf(held);
            held.clear();
        }
        now.forEach(subscription -> subscription.complete(null));
    }

    /** The commands broadcast successfully, in order. */
    public List<ControlCommand> broadcasts() {
        synchronized (broadcasts) {
            return List.copyOf(broadcasts);
        }
    }

    /** Back to the in-process engine's answers. */
    public void reset() {
        subscriptionFailure = null;
        holdSubscriptions = false;
        publishFailure = null;
        broadcastFailure = null;
        status = null;
        confirmHeld();
        synchronized (broadcasts) {
            broadcasts.clear();
        }
    }

    @Override
    public Uni<Long> publish(RoomMessage message, boolean awaitOffset) {
        Throwable failure = publishFailure;
        return failure != null ? Uni.createFrom().failure(failure) : engine.publish(message, awaitOffset);
    }

    @Override
    public void joinHistory(HistoryJoin join) {
        Throwable failure = subscriptionFailure;
        if (failure != null) {
            join.refuse(failure.getMessage());
        } else if (holdSubscriptions) {
            hold().subscribe().with(confirmed -> engine.joinHistory(join));
        } else {
            engine.joinHistory(join);
        }
    }

    @Override
    public Uni<Void> roomChanged(String room) {
        if (!local.hasMembers(room)) {
            return engine.roomChanged(room);
        }
        Throwable failure = subscriptionFailure;
        if (failure != null) {
            return Uni.createFrom().failure(failure);
        }
        return holdSubscriptions ? hold().chain(() -> engine.roomChanged(room)) : engine.roomChanged(room);
    }

    private Uni<Void> hold() {
        CompletableFuture<Void> subscription = new CompletableFuture<>();
        synchronized (held) {
            held.add(subscription);
        }
        return Uni.createFrom().completionStage(subscription);
    }

    @Override
    public Uni<Void> broadcast(ControlCommand command) {
        Throwable failure = broadcastFailure;
        if (failure != null) {
            return Uni.createFrom().failure(failure);
        }
        synchronized (broadcasts) {
            broadcasts.add(command);
        }
        return engine.broadcast(command);
    }

    @Override
    public BusStatus status() {
        BusStatus scripted = status;
        return scripted != null ? scripted : engine.status();
    }
}
