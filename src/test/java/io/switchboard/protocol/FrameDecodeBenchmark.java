package io.switchboard.protocol;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Decoding and validating client frames: the first thing every frame costs. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FrameDecodeBenchmark {
    private final FrameDecoder decoder = new FrameDecoder();
    private final String publish = "{\"op\":\"publish\",\"room\":\"r42\",\"ref\":\"p123\",\"data\":{\"p\":17,\"seq\":4711,\"t\":1795399593267.25,\"pad\":\""
            + "x".repeat(200) + "\"}}";
    private final String join = "{\"op\":\"join\",\"room\":\"chat:lobby\",\"ref\":\"j1\"}";

    @Benchmark
    public ClientFrame decodePublish256() throws BadFrameException {
        return decoder.decode(publish);
    }

    @Benchmark
    public ClientFrame decodeJoin() throws BadFrameException {
        return decoder.decode(join);
    }

    @Benchmark
    public String encodeMessageFrame() {
        return ServerFrames.message("r42", "k3j9x2a1-1f", "u1234", 1795399593267L, publish);
    }
}
