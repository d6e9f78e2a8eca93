package io.switchboard.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.switchboard.cluster.Bus;
import io.switchboard.cluster.ClusterConfig;
import io.switchboard.cluster.NodeIdentity;
import io.switchboard.cluster.RoomMessage;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.PresenceMode;
import io.switchboard.rooms.RoomRules;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * This node's side of presence (PROTOCOL section 9): it counts the node's member connections per
 * room and user, writes each change to the {@link PresenceStore} (Redis when the cluster has one,
 * memory otherwise), keeps the node's entries alive, settles ended graces when they end, answers
 * {@code presence} queries, and announces the {@code joined} and {@code parted} its calls return,
 * as room messages through the {@link Bus}: encoded once, fanned out like any message.
 * <p>
 * All state lives on one Vert.x context, so changes reach the store in the order connections made
 * them. A write that fails (the store is unreachable) is not retried as such: the room is marked
 * and its whole local state written again at the next refresh, or as soon as the store is back.
 */
@Startup
@ApplicationScoped
public class Presence {
    private static final Logger LOG = Logger.getLogger(Presence.class);
    /** Users a {@code presence} answer lists at most. */
    public static final int MAX_LISTED = 1000;
    /** Rooms refreshed at once, so the commands awaiting a reply on the store's connection stay bounded. */
    static final int REFRESH_BATCH = 1000;

    private final RoomRules rules;
    private final Bus bus;
    private final NodeIdentity node;
    private final Vertx vertx;
    private final Context context;
    private final PresenceStore store;
    private final long refreshTimer;

    // Confined to the context.
    /** Room to user to this node's member connections of that user. */
    private final Map<String, Map<String, Integer>> local = new HashMap<>();
    /** Rooms whose entries in the store may differ from {@link #local} (a write failed). */
    private final Set<String> dirty = new HashSet<>();
    /** Room to the timer that settles its earliest grace. */
    private final Map<String, Settle> settles = new HashMap<>();

    private record Settle(long timer, long at) {
    }

    public Presence(RoomRules rules, Bus bus, NodeIdentity node, Vertx vertx, ClusterConfig cluster, PresenceConfig config) {
        this.rules = rules;
        this.bus = bus;
        this.node = node;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        if (cluster.redisUrl().isPresent()) {
            RedisPresenceStore redis = new RedisPresenceStore(vertx, RedisPresenceStore.Settings.of(cluster, config),
                    node.instanceId());
            this.store = redis;
            context.runOnContext(v -> redis.start());
        } else {
            this.store = new MemoryPresenceStore(config.grace().toMillis(), () -> System.nanoTime() / 1_000_000);
        }
        store.onReconnect(this::resyncAll);
        long refreshMillis = Math.max(1, config.timeout().toMillis() / 4);
        this.refreshTimer = vertx.setPeriodic(refreshMillis, id -> context.runOnContext(v -> refreshAll()));
    }

    /**
     * A member connection of the user joined the room. Completes once the store counts it (or could
     * not, in which case it is counted when the store is back), so a join answered after it is
     * reflected by every later query.
     */
    public Uni<Void> join(String room, String user) {
        return change(room, user, 1);
    }

    /** A member connection of the user left the room (or closed). */
    public Uni<Void> leave(String room, String user) {
        return change(room, user, -1);
    }

    /** The room's presence: the count and the first {@link #MAX_LISTED} users. Fails when the store is unreachable. */
    public Uni<PresenceStore.Snapshot> query(String room) {
        Promise<PresenceStore.Snapshot> answer = Promise.promise();
        context.runOnContext(v -> store.query(room, MAX_LISTED).onComplete(ar -> {
            if (ar.succeeded()) {
                settled(room, ar.result().changes());
            }
            answer.handle(ar);
        }));
        return Uni.createFrom().completionStage(answer.future().toCompletionStage());
    }

    private Uni<Void> change(String room, String user, int delta) {
        if (rules.presence(room) == PresenceMode.OFF) {
            return Uni.createFrom().voidItem();
        }
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            Map<String, Integer> users = local.computeIfAbsent(room, r -> new HashMap<>());
            int connections = Math.max(0, users.getOrDefault(user, 0) + delta);
            if (connections == 0) {
                users.remove(user);
            } else {
                users.put(user, connections);
            }
            boolean others = users.size() > (connections > 0 ? 1 : 0);
            if (users.isEmpty()) {
                local.remove(room);
            }
            Future<PresenceStore.Changes> written = dirty.contains(room) ? resync(room)
                    : store.set(room, user, connections, others);
            written.onComplete(ar -> {
                if (ar.succeeded()) {
                    settled(room, ar.result());
                } else {
                    dirty.add(room);
                    LOG.debugf("presence write for %s failed: %s", room, ar.cause().getMessage());
                }
                done.complete();
            });
        });
        return Uni.createFrom().completionStage(done.future().toCompletionStage());
    }

    private Future<PresenceStore.Changes> resync(String room) {
        dirty.remove(room);
        return store.resync(room, new HashMap<>(local.getOrDefault(room, Map.of())));
    }

    /**
     * Keeps this node's entries alive and settles what is due: one script per room, pipelined, in
     * batches so the commands waiting on the connection stay bounded however many rooms there are.
     */
    private void refreshAll() {
        refresh(List.copyOf(local.keySet()), 0);
    }

    private void refresh(List<String> rooms, int from) {
        int to = Math.min(rooms.size(), from + REFRESH_BATCH);
        List<Future<?>> batch = new ArrayList<>(to - from);
        for (String room : rooms.subList(from, to)) {
            if (!local.containsKey(room)) {
                continue; // left since the list was taken
            }
            Future<PresenceStore.Changes> refreshed = dirty.contains(room) ? resync(room) : store.refresh(room, true);
            batch.add(refreshed.onComplete(ar -> {
                if (ar.succeeded()) {
                    settled(room, ar.result());
                } else {
                    dirty.add(room);
                }
            }));
        }
        if (to < rooms.size()) {
            Future.join(batch).onComplete(done -> refresh(rooms, to));
        }
    }

    private void resyncAll() {
        dirty.addAll(local.keySet());
        refreshAll();
    }

    /** Announces what a store call changed, and arranges for what it says is due next. */
    private void settled(String room, PresenceStore.Changes changes) {
        announce(room, "joined", changes.joined());
        announce(room, "parted", changes.parted());
        if (changes.lost()) {
            LOG.infof("presence entries of room %s were lost; writing them again", room);
            dirty.add(room);
            resync(room).onComplete(ar -> {
                if (ar.succeeded()) {
                    settled(room, ar.result());
                } else {
                    dirty.add(room);
                }
            });
        }
        if (changes.nextDueMillis() >= 0) {
            armSettle(room, changes.nextDueMillis());
        }
    }

    /** One timer per room, at its earliest due grace; a later one is dropped for it. */
    private void armSettle(String room, long inMillis) {
        long at = System.nanoTime() / 1_000_000 + inMillis;
        Settle armed = settles.get(room);
        if (armed != null) {
            if (armed.at <= at) {
                return;
            }
            vertx.cancelTimer(armed.timer);
        }
        long timer = vertx.setTimer(Math.max(1, inMillis), id -> {
            settles.remove(room);
            store.refresh(room, local.containsKey(room)).onComplete(ar -> {
                if (ar.succeeded()) {
                    settled(room, ar.result());
                }
            });
        });
        settles.put(room, new Settle(timer, at));
    }

    private void announce(String room, String op, List<String> users) {
        if (users.isEmpty() || rules.presence(room) != PresenceMode.EVENTS) {
            return;
        }
        for (String user : users) {
            RoomMessage event = new RoomMessage(node.nextMessageId(), room, System.currentTimeMillis(),
                    ServerFrames.presenceEvent(op, room, user));
            bus.publish(event).subscribe().with(sent -> {
            }, failure -> LOG.warnf("%s of %s in %s not sent: %s", op, user, room, failure.getMessage()));
        }
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(refreshTimer);
        context.runOnContext(v -> store.close());
    }
}
