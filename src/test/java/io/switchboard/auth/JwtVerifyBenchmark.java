package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.switchboard.support.TestKeys;
import io.vertx.core.Vertx;

/** Token verification as the upgrade does it: HS256 (the benchmark harness) and RS256 (JWKS keys). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JwtVerifyBenchmark {
    private Vertx vertx;
    private TokenVerifier verifier;
    private String hs256;
    private String rs256;

    @Setup
    public void setUp() {
        vertx = Vertx.vertx();
        verifier = new TokenVerifier(new Config(), vertx);
        verifier.init();
        hs256 = TestKeys.hs256(TestKeys.claims("u1", 3600, "user"), TestKeys.HS256_SECRET.getBytes(StandardCharsets.UTF_8));
        rs256 = TestKeys.token("u1", 3600, "user");
    }

    @TearDown
    public void tearDown() {
        vertx.close();
    }

    @Benchmark
    public VerifiedToken verifyHs256() throws TokenRejectedException {
        return verifier.verify(hs256);
    }

    @Benchmark
    public VerifiedToken verifyRs256() throws TokenRejectedException {
        return verifier.verify(rs256);
    }

    /** The configuration of a node that trusts the test keys. */
    private static final class Config implements AuthConfig {
        @Override
        public Optional<String> issuer() {
            return Optional.of(TestKeys.ISSUER);
        }

        @Override
        public Optional<List<String>> audience() {
            return Optional.of(List.of(TestKeys.AUDIENCE));
        }

        @Override
        public Optional<String> publicKey() {
            return Optional.empty();
        }

        @Override
        public Optional<String> publicKeyLocation() {
            return Optional.empty();
        }

        @Override
        public Optional<String> jwksLocation() {
            return Optional.of(TestKeys.files().resolve("jwks.json").toString());
        }

        @Override
        public Duration jwksRefresh() {
            return Duration.ofMinutes(10);
        }

        @Override
        public Optional<String> hs256Secret() {
            return Optional.of(TestKeys.HS256_SECRET);
        }

        @Override
        public Duration clockSkew() {
            return Duration.ofSeconds(30);
        }

        @Override
        public int maxTokenBytes() {
            return 8192;
        }

        @Override
        public String rolesClaim() {
            return "groups";
        }

        @Override
        public Duration expiringNotice() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration maxTokenLifetime() {
            return Duration.ofHours(24);
        }

        @Override
        public Optional<List<String>> allowedOrigins() {
            return Optional.empty();
        }

        @Override
        public Carriers carriers() {
            return null;
        }
    }
}
