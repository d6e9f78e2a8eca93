package io.switchboard.presence;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import io.switchboard.cluster.ClusterConfig;
import io.switchboard.cluster.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Presence in Redis. A room's keys share the hash tag {@code {<room>}}, so in a Redis Cluster they
 * live in one slot (with the room's other keys, {@code <prefix>{<room>}:...}) and each operation is
 * one atomic script ({@link PresenceScript}) on one shard: one round trip, whatever the room's size.
 * <ul>
 * <li>{@code ...:presence:users}: sorted set, every score 0, so Redis orders it by the members' bytes:
 * the listed users and their count ({@code ZCARD}, O(1)).</li>
 * <li>{@code ...:presence:conns}: hash, user to connections on every live node.</li>
 * <li>{@code ...:presence:node:<id>}: hash, user to connections on one node.</li>
 * <li>{@code ...:presence:nodes}: sorted set, node to the deadline its entries live until; a node
 * refreshes it for all its rooms every quarter of the timeout, one script per room, all pipelined.</li>
 * <li>{@code ...:presence:grace}: sorted set, user to the end of its grace.</li>
 * </ul>
 * Deadlines are in Redis's own clock ({@code TIME}), so the nodes' clocks never need to agree. All
 * commands go over one connection, in the order the {@link Presence} service issues them.
 */
final class RedisPresenceStore implements PresenceStore {
    private static final Logger LOG = Logger.getLogger(RedisPresenceStore.class);
    private static final int MAX_WAITING = 16 * Presence.REFRESH_BATCH;

    private final Vertx vertx;
    private final Redis client;
    private final String prefix;
    private final String self;
    private final String aliveMs;
    private final String graceMs;
    private final String keepMs;
    private final LuaScript lua;
    private final long reconnectMin;
    private final long reconnectMax;
    private long backoff;
    private RedisConnection connection;
    private boolean everConnected;
    private Runnable onReconnect = () -> {
    };
    private boolean closed;

    /** What the store needs of the configuration. */
    record Settings(List<String> urls, boolean cluster, String prefix, Duration timeout, Duration grace,
            Duration reconnectMin, Duration reconnectMax) {
        static Settings of(ClusterConfig cluster, PresenceConfig presence) {
            return new Settings(cluster.redisUrl().orElseThrow(), cluster.redisMode() == ClusterConfig.RedisMode.CLUSTER,
                    cluster.channelPrefix(), presence.timeout(), presence.grace(), cluster.reconnectMin(),
                    cluster.reconnectMax());
        }
    }

    RedisPresenceStore(Vertx vertx, Settings settings, String nodeId) {
        this.vertx = vertx;
        RedisOptions options = new RedisOptions()
                .setType(settings.cluster() ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
                // commands awaiting their reply: a refresh batch plus a burst of joins (a reconnect storm);
                // beyond it a write fails and the room is written again whole at the next refresh
                .setMaxWaitingHandlers(MAX_WAITING)
                .setNetClientOptions(new NetClientOptions().setTcpKeepAlive(true));
        settings.urls().forEach(options::addConnectionString);
        this.client = Redis.createClient(vertx, options);
        this.prefix = settings.prefix();
        this.self = nodeId;
        long timeout = settings.timeout().toMillis();
        this.aliveMs = Long.toString(Math.max(1, timeout / 2));
        this.graceMs = Long.toString(settings.grace().toMillis());
        this.keepMs = Long.toString(timeout + settings.grace().toMillis());
        this.lua = new LuaScript(PresenceScript.TEXT);
        this.reconnectMin = settings.reconnectMin().toMillis();
        this.reconnectMax = settings.reconnectMax().toMillis();
        this.backoff = reconnectMin;
    }

    /** Connects; call on the presence context, which the connection's callbacks then run on. */
    void start() {
        connect();
    }

    @Override
    public void onReconnect(Runnable action) {
        this.onReconnect = action;
    }

    @Override
    public Future<Changes> set(String room, String user, int connections, boolean others) {
        return run(room, "set", user, Integer.toString(connections), others ? "1" : "0").map(RedisPresenceStore::changes);
    }

    @Override
    public Future<Changes> resync(String room, Map<String, Integer> local) {
        List<String> args = new ArrayList<>(local.size() * 2 + 1);
        args.add("resync");
        local.forEach((user, connections) -> {
            args.add(user);
            args.add(Integer.toString(connections));
        });
        return run(room, args.toArray(String[]::new)).map(RedisPresenceStore::changes);
    }

    @Override
    public Future<Changes> refresh(String room, boolean alive) {
        return run(room, "refresh", alive ? "1" : "0").map(RedisPresenceStore::changes);
    }

    @Override
    public Future<Snapshot> query(String room, int limit) {
        return run(room, "query", Integer.toString(limit)).map(reply -> {
            Response listed = reply.get(5);
            Response counts = reply.get(6);
            List<String> users = new ArrayList<>(listed.size());
            long[] connections = new long[listed.size()];
            for (int i = 0; i < listed.size(); i++) {
                users.add(listed.get(i).toString(StandardCharsets.UTF_8));
                connections[i] = counts.get(i).toLong();
            }
            return new Snapshot(reply.get(4).toLong(), users, connections, changes(reply));
        });
    }

    private static Changes changes(Response reply) {
        return new Changes(strings(reply.get(0)), strings(reply.get(1)), reply.get(2).toLong(), reply.get(3).toInteger() == 1);
    }

    private static List<String> strings(Response array) {
        if (array == null || array.size() == 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>(array.size());
        for (Response item : array) {
            out.add(item.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Runs the script on the room's keys: the op's name first, then its own arguments. */
    private Future<Response> run(String room, String op, String... opArgs) {
        String[] args = new String[opArgs.length + 1];
        args[0] = op;
        System.arraycopy(opArgs, 0, args, 1, opArgs.length);
        return run(room, args);
    }

    private Future<Response> run(String room, String[] args) {
        RedisConnection c = connection;
        if (c == null) {
            return Future.failedFuture("presence store unreachable");
        }
        String base = prefix + '{' + room + "}:presence:";
        String nodePrefix = base + "node:";
        return c.send(script(lua.call(false), base, nodePrefix, args)).recover(failure -> {
            if (LuaScript.missing(failure)) {
                // first use on this Redis (or on this shard): EVAL also caches the script
                return c.send(script(lua.call(true), base, nodePrefix, args));
            }
            return Future.failedFuture(failure);
        });
    }

    private Request script(Request request, String base, String nodePrefix, String[] args) {
        request.arg(5).arg(base + "users").arg(base + "conns").arg(base + "nodes").arg(base + "grace")
                .arg(nodePrefix + self);
        request.arg(args[0]).arg(self).arg(nodePrefix).arg(aliveMs).arg(graceMs).arg(keepMs);
        for (int i = 1; i < args.length; i++) {
            request.arg(args[i]);
        }
        return request;
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connect().onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("presence store connect failed: %s", ar.cause().getMessage());
                retry();
                return;
            }
            RedisConnection c = ar.result();
            c.exceptionHandler(e -> lost(c));
            c.endHandler(v -> lost(c));
            connection = c;
            backoff = reconnectMin;
            if (everConnected) {
                // writes made while it was unreachable failed, and those in flight may or may not have landed
                onReconnect.run();
            }
            everConnected = true;
        });
    }

    private void lost(RedisConnection c) {
        if (connection != c) {
            return;
        }
        connection = null;
        LOG.warn("presence store connection lost; reconnecting");
        c.close();
        retry();
    }

    private void retry() {
        if (closed) {
            return;
        }
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        vertx.setTimer(Math.max(1, jittered), id -> connect());
        backoff = Math.min(backoff * 2, reconnectMax);
    }

    @Override
    public void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
        client.close();
    }
}
