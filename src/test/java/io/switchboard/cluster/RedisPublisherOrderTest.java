package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Which publish a history publish names as the one it follows, when it is sent again. Real Redis
 * cannot be made to answer one pipelined publish and lose the connection before the next one's reply,
 * so these tests drive {@link RedisPublisher} through a scripted connection that answers, refuses or
 * drops exactly when told. (The script's side of the rule runs against real Redis in
 * {@code RedisClusterHistoryIT} and {@code RedisHistoryIT}.)
 */
class RedisPublisherOrderTest {
    private static final String ROOM = "switchboard:room:{hist:a}";

    private final Vertx vertx = Vertx.vertx();
    private final ScriptedRedis redis = new ScriptedRedis();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private RedisPublisher publisher;

    /** One script call as sent: its sequence number and the sequence number it follows. */
    private record Call(long seq, long previous) {
    }

    /** A command sent on a scripted connection, answered by the test. */
    private record Sent(Call call, Promise<Response> reply) {
    }

    private final class ScriptedConnection implements RedisConnection {
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        volatile Handler<Void> end;

        @Override
        public Future<Response> send(Request request) {
            Promise<Response> reply = Promise.promise();
            sent.add(new Sent(calls.get(request), reply));
            return reply.future();
        }

        void drop() {
            end.handle(null);
        }

        @Override
        public RedisConnection endHandler(Handler<Void> handler) {
            end = handler;
            return this;
        }

        @Override
        public RedisConnection exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public RedisConnection handler(Handler<Response> handler) {
            return this;
        }

        @Override
        public RedisConnection pause() {
            return this;
        }

        @Override
        public RedisConnection resume() {
            return this;
        }

        @Override
        public RedisConnection fetch(long amount) {
            return this;
        }

        @Override
        public Future<List<Response>> batch(List<Request> requests) {
            throw new UnsupportedOperationException("the publisher sends one command at a time");
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }

        @Override
        public boolean pendingQueueFull() {
            return false;
        }
    }

    private final class ScriptedRedis implements Redis {
        final List<ScriptedConnection> connections = new CopyOnWriteArrayList<>();

        @Override
        public Future<RedisConnection> connect() {
            ScriptedConnection connection = new ScriptedConnection();
            connections.add(connection);
            return Future.succeededFuture(connection);
        }

        @Override
        public void close() {
        }

        @Override
        public Future<Response> send(Request request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<List<Response>> batch(List<Request> requests) {
            throw new UnsupportedOperationException();
        }
    }

    /** The call behind each request the script built (requests compare by identity). */
    private final Map<Request, Call> calls = Collections.synchronizedMap(new IdentityHashMap<>());

    private final RedisPublisher.Script script = (seq, previous, loading) -> {
        Request request = Request.cmd(Command.EVAL).arg("script").arg(seq).arg(previous);
        calls.put(request, new Call(seq, previous));
        return request;
    };

    private RedisPublisher start(RedisDialect dialect) {
        ClusterConfig config = new SmallRyeConfigBuilder().withMapping(ClusterConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // Quarkus's "10ms" form
                .withSources(new PropertiesConfigSource(Map.of("switchboard.cluster.reconnect-min", "10ms",
                        "switchboard.cluster.reconnect-max", "20ms", "switchboard.cluster.flush-delay", "10ms"), "test", 500))
                .build().getConfigMapping(ClusterConfig.class);
        publisher = new RedisPublisher(config, redis, vertx, vertx.getOrCreateContext(),
                new BusMetrics(registry, config), "node", dialect);
        publisher.start();
        awaitConnections(1);
        return publisher;
    }

    private void publish() {
        Uni.createFrom().<Long>emitter(emitter -> publisher.publishScript(ROOM, script, 10, emitter, false))
                .subscribe().with(offset -> { }, failure -> { });
    }

    private ScriptedConnection awaitConnections(int count) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis.connections.size() == count);
        return redis.connections.get(count - 1);
    }

    private static List<Call> awaitSent(ScriptedConnection connection, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> connection.sent.size() == count);
        return connection.sent.stream().map(Sent::call).toList();
    }

    @AfterEach
    void stop() {
        publisher.stop();
        vertx.close();
    }

    /**
     * 1 and 2 are pipelined (2 follows 1); 1 is answered, then the connection drops before 2 is. If
     * Redis lost the room's history meanwhile, a 2 that still followed 1 would be refused for ever:
     * it is sent again following nothing, and 3 (accepted while disconnected) still follows 2.
     */
    @Test
    void whatIsResentFirstForARoomFollowsNothing() {
        start(RedisDialect.SHARDED);
        ScriptedConnection first = redis.connections.get(0);
        publish();
        publish();
        assertEquals(List.of(new Call(1, 0), new Call(2, 1)), awaitSent(first, 2));
        first.sent.get(0).reply().complete(null);
        first.drop();
        publish();
        ScriptedConnection second = awaitConnections(2);
        assertEquals(List.of(new Call(2, 0), new Call(3, 2)), awaitSent(second, 2));
    }

    /**
     * 2 reached Redis before 1 (a retry of the cluster client) and was refused {@code ORDER}: the
     * connection is given up and both go again, in order, on a new one; the refusal is counted.
     */
    @Test
    void aPublishRefusedAsOutOfOrderIsResentInOrderOnANewConnection() {
        start(RedisDialect.SHARDED);
        ScriptedConnection first = redis.connections.get(0);
        publish();
        publish();
        assertEquals(List.of(new Call(1, 0), new Call(2, 1)), awaitSent(first, 2));
        first.sent.get(1).reply().fail("ORDER the publish this one follows is not stored yet");
        ScriptedConnection second = awaitConnections(2);
        assertEquals(List.of(new Call(1, 0), new Call(2, 1)), awaitSent(second, 2));
        // the first connection's late answers change nothing
        first.sent.get(0).reply().complete(null);
        second.sent.get(0).reply().complete(null);
        second.sent.get(1).reply().complete(null);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> publisher.heldBack() == 0);
        assertEquals(2, redis.connections.size());
        assertEquals(1.0, registry.get("switchboard.bus.publish.failures").counter().count());
    }
}
