package io.switchboard.transport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.rooms.LocalRooms;
import io.switchboard.rooms.RoomAccess;
import io.switchboard.rooms.RoomRules;
import io.switchboard.support.TestRule;

/**
 * The gateway's own share of delivering one publication to N local members: one encoding, one
 * UTF-8 buffer, a retained share per member (the socket write itself is Netty's and is not in
 * here), and the rule check a join pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FanoutBenchmark {
    @Param({ "1", "200", "2000" })
    int members;

    private final LocalRooms<Member> rooms = new LocalRooms<>(Member::loop, Member[]::new);
    private final RoomRules rules = new RoomRules(List.of(new TestRule("user:{sub}", List.of("*"), List.of("*"), true),
            new TestRule("r*", List.of("user"), List.of("user"), true)));
    private final String data = "{\"seq\":4711,\"pad\":\"" + "x".repeat(200) + "\"}";
    private Blackhole sink;

    /** Takes its share of the frame like a socket would, then lets it go. */
    private final class CountingMember implements Member {
        @Override
        public EventExecutor loop() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public boolean write(ByteBuf webSocketFrame) {
            ByteBuf share = webSocketFrame.retainedDuplicate();
            sink.consume(share);
            share.release();
            return true;
        }

        @Override
        public void flush() {
            sink.consume(this);
        }

        @Override
        public void missed() {
            throw new IllegalStateException("the benchmark never fills a loop's queue");
        }
    }

    @Setup
    public void join(Blackhole blackhole) {
        sink = blackhole;
        for (int i = 0; i < members; i++) {
            rooms.join("r42", new CountingMember());
        }
    }

    /** What the gateway's fan-out does before the socket: one JSON encoding, one WebSocket frame, a share per member. */
    @Benchmark
    public int encodeOnceAndShareWithAll() {
        String frame = ServerFrames.message("r42", "k3j9x2a1-1f", "u1234", 1795399593267L, data);
        ByteBuf bytes = WebSocketFrames.text(frame);
        int delivered = 0;
        for (LocalRooms.LoopMembers<Member> group : rooms.members("r42")) {
            for (Member member : group.members()) {
                member.write(bytes);
            }
            for (Member member : group.members()) {
                member.flush();
            }
            delivered += group.members().length;
        }
        bytes.release();
        return delivered;
    }

    @Benchmark
    public RoomAccess joinRuleCheck() {
        return rules.access("u1234", Set.of("user"), "r42");
    }
}
