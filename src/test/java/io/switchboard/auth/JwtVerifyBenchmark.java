package io.switchboard.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
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

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.switchboard.support.TestKeys;
import io.vertx.core.Vertx;




/**
 * Token verification as the upgrade does it: HS256 (the benchmark harness) and RS256 (JWKS keys),
 * through smallrye-jwt's parser, next to the jose4j consumer built once that the project used before.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class JwtVerifyBenchmark {
    private Vertx vertx;
    private TokenVerifier verifier;
    /** The verification this project did before it went through smallrye-jwt: one jose4j consumer, built once. */
    private JwtConsumer jose4jOnce;
    private String hs256;
    private String rs256;

    @Setup
    public void setUp() {
        vertx = Vertx.vertx();
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        VerificationKeys.Sources sources = new VerificationKeys.Sources(Optional.empty(),
                Optional.of(TestKeys.files().resolve("jwks.json").toString()), Optional.of(TestKeys.HS256_SECRET));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256));
        info.setIssuedBy(TestKeys.ISSUER);
        info.setExpectedAudience(Set.of(TestKeys.AUDIENCE));
        info.setClockSkew(30);
        verifier = new TokenVerifier(info, sources, new Config(), vertx);
        verifier.init();
        VerificationKeys keys = VerificationKeys.load(sources, null);
        jose4jOnce = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(30)
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        "RS256", "ES256", "HS256"))
                .setVerificationKeyResolver((jws, nesting) -> keys.select(jws.getAlgorithmHeaderValue(), jws.getKeyIdHeaderValue()))
                .setExpectedIssuer(TestKeys.ISSUER)
                .setExpectedAudience(TestKeys.AUDIENCE)
                .build();
        hs256 = TestKeys.hs256(TestKeys.claims("u1", 3600, "user"), TestKeys.HS256_SECRET.getBytes(StandardCharsets.UTF_8));
        rs256 = TestKeys.token("u1", 3600, "user");
    }

    @TearDown
    public void tearDown() {
        verifier.close();
        vertx.close();
    }

    @Benchmark
    public VerifiedToken verifyHs256() {
        return verifier.verify(hs256).result();
    }

    @Benchmark
    public VerifiedToken verifyRs256() {
        return verifier.verify(rs256).result();
    }

    @Benchmark
    public JwtClaims jose4jOnceHs256() throws InvalidJwtException {
        return jose4jOnce.processToClaims(hs256);
    }

    @Benchmark
    public JwtClaims jose4jOnceRs256() throws InvalidJwtException {
        return jose4jOnce.processToClaims(rs256);
    }

    /** The gateway's own settings, at their defaults. */
    private static final class Config implements AuthConfig {
        @Override
        public Optional<Set<String>> requiredRoles() {
            return Optional.empty();
        }

        @Override
        public int maxTokenBytes() {
            return 8192;
        }

        @Override
        public Duration unknownKeyWait() {
            return Duration.ofSeconds(5);
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
