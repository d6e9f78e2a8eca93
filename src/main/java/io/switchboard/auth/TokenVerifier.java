package io.switchboard.auth;

import java.io.IOException;
import java.security.Key;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * Verifies JWTs (PROTOCOL section 2) and says precisely why one is refused.
 * <p>
 * Built on jose4j (the engine under smallrye-jwt) rather than the smallrye-jwt HTTP mechanism,
 * because the protocol needs a reason per failure and RS256/ES256 and HS256 side by side.
 * The algorithm is checked against the configured keys before any signature work, so
 * {@code alg: none} and HS256-signed-with-the-RSA-public-key are refused as {@code algorithm}
 * when no HS256 secret is configured.
 */
@Startup
@ApplicationScoped
public class TokenVerifier {
    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    private final AuthConfig config;
    private final Vertx vertx;
    private final JsonFactory json = new JsonFactory();
    private volatile VerificationKeys keys;
    private volatile JwtConsumer consumer;

    public TokenVerifier(AuthConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    @PostConstruct
    void init() {
        String jwks = config.jwksLocation().orElse(null);
        if (jwks != null && VerificationKeys.isRemote(jwks)) {
            HttpClient http = vertx.createHttpClient();
            // At startup the node may wait for its keys; it is not serving anything yet.
            install(VerificationKeys.load(config, await(VerificationKeys.fetch(http, jwks))));
            long period = Math.max(1000, config.jwksRefresh().toMillis());
            vertx.setPeriodic(period, id -> VerificationKeys.fetch(http, jwks)
                    .map(document -> VerificationKeys.load(config, document))
                    .onSuccess(this::install)
                    .onFailure(e -> LOG.warnf("JWKS refresh failed, keeping the previous keys: %s", e.getMessage())));
        } else {
            install(VerificationKeys.load(config,
                    jwks == null ? null : VerificationKeys.readLocal(jwks, "switchboard.auth.jwks-location")));
        }
        if (config.issuer().isEmpty() || config.audience().isEmpty()) {
            LOG.warn("switchboard.auth.issuer or switchboard.auth.audience is not set: tokens from any issuer "
                    + "or for any audience signed with the configured keys are accepted");
        }
    }

    private static String await(Future<String> document) {
        try {
            return document.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the JWKS");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("switchboard.auth.jwks-location: cannot fetch: " + e.getMessage());
        }
    }

    private void install(VerificationKeys newKeys) {
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setJwsAlgorithmConstraints(new AlgorithmConstraints(
                        AlgorithmConstraints.ConstraintType.PERMIT, newKeys.algorithms()))
                .setVerificationKeyResolver((jws, nesting) -> {
                    Key key = newKeys.select(jws.getAlgorithmHeaderValue(), jws.getKeyIdHeaderValue());
                    if (key == null) {
                        throw new UnresolvableKeyException("no key for kid " + jws.getKeyIdHeaderValue());
                    }
                    return key;
                });
        config.issuer().ifPresent(builder::setExpectedIssuer);
        config.audience().ifPresentOrElse(aud -> builder.setExpectedAudience(aud.toArray(String[]::new)),
                builder::setSkipDefaultAudienceValidation);
        this.consumer = builder.build();
        this.keys = newKeys;
    }

    public VerifiedToken verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(RejectReason.MISSING);
        }
        if (token.length() > config.maxTokenBytes()) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        String alg = headerAlgorithm(token);
        if (!keys.allows(alg)) {
            throw new TokenRejectedException(RejectReason.ALGORITHM);
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw new TokenRejectedException(reasonOf(e));
        }
        try {
            String sub = claims.getSubject();
            if (sub.isEmpty()) {
                throw new TokenRejectedException(RejectReason.MALFORMED);
            }
            NumericDate iat = claims.getIssuedAt();
            return new VerifiedToken(sub, roles(claims), claims.getExpirationTime().getValueInMillis(),
                    iat == null ? 0 : iat.getValueInMillis(), claims.getJwtId());
        } catch (MalformedClaimException | ArithmeticException e) {
            // ArithmeticException: a date so far away its milliseconds overflow a long
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
    }

    private Set<String> roles(JwtClaims claims) throws MalformedClaimException {
        Object value = claims.getClaimValue(config.rolesClaim());
        if (value == null) {
            return Set.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new MalformedClaimException(config.rolesClaim() + " is not an array");
        }
        String[] roles = new String[list.size()];
        for (int i = 0; i < roles.length; i++) {
            if (!(list.get(i) instanceof String role)) {
                throw new MalformedClaimException(config.rolesClaim() + " holds a non-string");
            }
            roles[i] = role;
        }
        return Set.copyOf(Arrays.asList(roles));
    }

    /**
     * Reads {@code alg} from a compact JWS header. Anything but three parts of unpadded base64url is
     * malformed: a lenient decoder would let one signed token be written several ways.
     */
    private String headerAlgorithm(String token) throws TokenRejectedException {
        int firstDot = -1;
        int secondDot = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (firstDot < 0) {
                    firstDot = i;
                } else if (secondDot < 0) {
                    secondDot = i;
                } else {
                    throw new TokenRejectedException(RejectReason.MALFORMED);
                }
            } else if (!isBase64Url(c)) {
                throw new TokenRejectedException(RejectReason.MALFORMED);
            }
        }
        if (firstDot <= 0 || secondDot < 0) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        String alg = null;
        try (JsonParser p = json.createParser(Base64.getUrlDecoder().decode(token.substring(0, firstDot)))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TokenRejectedException(RejectReason.MALFORMED);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("alg".equals(field)) {
                    if (value != JsonToken.VALUE_STRING || alg != null) {
                        throw new TokenRejectedException(RejectReason.MALFORMED);
                    }
                    alg = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        if (alg == null) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        return alg;
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static RejectReason reasonOf(InvalidJwtException e) {
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || e.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return RejectReason.SIGNATURE;
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRED)) {
            return RejectReason.EXPIRED;
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return RejectReason.NOT_YET_VALID;
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return RejectReason.ISSUER;
        }
        if (e.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || e.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return RejectReason.AUDIENCE;
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidAlgorithmException) {
                return RejectReason.ALGORITHM;
            }
            if (cause instanceof UnresolvableKeyException) {
                return RejectReason.SIGNATURE;
            }
        }
        return RejectReason.MALFORMED;
    }
}
