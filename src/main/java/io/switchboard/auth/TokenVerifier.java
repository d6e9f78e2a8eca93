package io.switchboard.auth;

import java.io.IOException;
import java.security.Key;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.quarkus.runtime.Startup;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Verifies JWTs (PROTOCOL section 2) through smallrye-jwt and says precisely why one is refused.
 * <p>
 * The configuration is MicroProfile JWT's ({@code mp.jwt.verify.*}, {@code smallrye.jwt.*}), as
 * smallrye-jwt reads it into a {@link JWTAuthContextInfo}; tokens are checked by smallrye-jwt's
 * {@link DefaultJWTTokenParser}. Two parts are the gateway's own: key resolution, because smallrye-jwt
 * fetches a JWKS with blocking I/O on the calling thread (an event loop here) and holds one key
 * source, where RS256/ES256 keys and an HS256 secret must work side by side; and the header check
 * before any signature work, which makes {@code alg: none}, an algorithm with no configured key and
 * a token written in a non-canonical encoding fail with their own reasons.
 */
@Startup
@ApplicationScoped
public class TokenVerifier {
    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);
    /** The algorithms of PROTOCOL section 2; anything else is refused as {@code algorithm}. */
    private static final Set<SignatureAlgorithm> SUPPORTED = EnumSet.of(SignatureAlgorithm.RS256,
            SignatureAlgorithm.ES256, SignatureAlgorithm.HS256);

    private final JWTAuthContextInfo configured;
    private final VerificationKeys.Sources sources;
    private final AuthConfig config;
    private final Vertx vertx;
    private final JsonFactory json = new JsonFactory();
    private volatile VerificationKeys keys;
    private final DefaultJWTTokenParser parser = new DefaultJWTTokenParser() {
        @Override
        protected VerificationKeyResolver getVerificationKeyResolver(JWTAuthContextInfo info) {
            return resolver;
        }
    };
    private final VerificationKeyResolver resolver = (jws, nesting) -> {
        Key key = keys.select(jws.getAlgorithmHeaderValue(), jws.getKeyIdHeaderValue());
        if (key == null) {
            throw new UnresolvableKeyException("no key for kid " + jws.getKeyIdHeaderValue());
        }
        return key;
    };
    private JWTAuthContextInfo context;
    private Set<String> algorithms;
    private long skewMillis;
    private RemoteJwks remote;

    @Inject
    public TokenVerifier(JWTAuthContextInfo configured,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> publicKey,
            @ConfigProperty(name = RemoteJwks.LOCATION_KEY) Optional<String> location,
            @ConfigProperty(name = "smallrye.jwt.verify.secretkey") Optional<String> secret,
            AuthConfig config, Vertx vertx) {
        this(configured, new VerificationKeys.Sources(publicKey, location, secret), config, vertx);
    }

    TokenVerifier(JWTAuthContextInfo configured, VerificationKeys.Sources sources, AuthConfig config, Vertx vertx) {
        this.configured = configured;
        this.sources = sources;
        this.config = config;
        this.vertx = vertx;
    }

    @PostConstruct
    void init() {
        String location = sources.remoteLocation().orElse(null);
        if (location != null) {
            int refreshMinutes = configured.getJwksRefreshInterval() == null ? 60 : configured.getJwksRefreshInterval();
            remote = new RemoteJwks(vertx, location, Duration.ofMinutes(refreshMinutes),
                    Duration.ofMinutes(configured.getForcedJwksRefreshInterval()),
                    document -> keys = VerificationKeys.load(sources, document));
        } else {
            keys = VerificationKeys.load(sources, null);
        }
        // HS256 is on exactly when a secret is configured (PROTOCOL section 2).
        Set<SignatureAlgorithm> permitted = EnumSet.noneOf(SignatureAlgorithm.class);
        for (SignatureAlgorithm alg : configured.getSignatureAlgorithm()) {
            if (SUPPORTED.contains(alg)) {
                permitted.add(alg);
            }
        }
        if (keys.allows(VerificationKeys.HS256)) {
            permitted.add(SignatureAlgorithm.HS256);
        } else {
            permitted.remove(SignatureAlgorithm.HS256);
        }
        algorithms = permitted.stream().map(SignatureAlgorithm::getAlgorithm).collect(Collectors.toUnmodifiableSet());
        // The parser's copy: its keys come from the resolver above, never from fixed keys or locations.
        context = new JWTAuthContextInfo(configured);
        context.setSignatureAlgorithm(permitted);
        context.setPublicVerificationKey(null);
        context.setSecretVerificationKey(null);
        context.setPublicKeyContent(null);
        context.setPublicKeyLocation(null);
        context.setSecretKeyContent(null);
        // smallrye-jwt's parser requires iat unless a lifetime of 0 is set explicitly; PROTOCOL section 1
        // makes iat optional, so it is required only when smallrye.jwt.time-to-live or
        // mp.jwt.verify.token.age asks for a check that needs it.
        if (configured.getMaxTimeToLiveSecs() == null && configured.getTokenAge() == null) {
            context.setMaxTimeToLiveSecs(0L);
        }
        int skew = configured.getExpGracePeriodSecs() > 0 ? configured.getExpGracePeriodSecs() : configured.getClockSkew();
        skewMillis = skew * 1000L;
        if (configured.getIssuedBy() == null || configured.getExpectedAudience() == null
                || configured.getExpectedAudience().isEmpty()) {
            LOG.warn("mp.jwt.verify.issuer or mp.jwt.verify.audiences is not set: tokens from any issuer "
                    + "or for any audience signed with the configured keys are accepted");
        }
    }

    @PreDestroy
    void close() {
        if (remote != null) {
            remote.close();
        }
    }

    /** The tolerance on {@code exp} and {@code nbf} ({@code mp.jwt.verify.clock.skew}). */
    public long clockSkewMillis() {
        return skewMillis;
    }

    /** Whether the token holds a role the endpoint requires ({@code switchboard.auth.required-roles}). */
    public boolean hasRequiredRole(VerifiedToken token) {
        Set<String> required = config.requiredRoles().orElse(Set.of());
        if (required.isEmpty()) {
            return true;
        }
        for (String role : token.roles()) {
            if (required.contains(role)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Verifies a token. Completes at once when the node holds the token's key; for a key id it does
     * not know, after fetching the JWKS again (rate-limited, bounded by
     * {@code switchboard.auth.unknown-key-wait}). Never blocks; completes on the caller's context.
     * Fails with {@link TokenRejectedException} ({@code missing} for a null or empty token).
     */
    public Future<VerifiedToken> verify(String token) {
        Header header;
        try {
            header = checkHeader(token);
            if (remote == null || keys.knows(header.alg(), header.kid())) {
                return Future.succeededFuture(verifySignedToken(token));
            }
        } catch (TokenRejectedException e) {
            return Future.failedFuture(e);
        }
        Context caller = vertx.getOrCreateContext();
        Promise<VerifiedToken> result = Promise.promise();
        remote.refreshForUnknownKey(config.unknownKeyWait()).onComplete(refreshed -> caller.runOnContext(v -> {
            try {
                result.complete(verifySignedToken(token));
            } catch (TokenRejectedException e) {
                result.fail(e);
            }
        }));
        return result.future();
    }

    private record Header(String alg, String kid) {
    }

    private Header checkHeader(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(RejectReason.MISSING);
        }
        if (token.length() > config.maxTokenBytes()) {
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        Header header = header(token);
        if (!algorithms.contains(header.alg()) || !keys.allows(header.alg())) {
            throw new TokenRejectedException(RejectReason.ALGORITHM);
        }
        return header;
    }

    private VerifiedToken verifySignedToken(String token) throws TokenRejectedException {
        JwtClaims claims;
        try {
            claims = parser.parse(token, context).getJwtClaims();
        } catch (ParseException e) {
            throw new TokenRejectedException(reasonOf(e));
        } catch (RuntimeException e) {
            // smallrye-jwt casts claims it maps (e.g. a groups claim that is not an array) unchecked
            LOG.debugf("token refused as malformed: %s", e);
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
        try {
            Object sub = claims.getClaimValue("sub");
            if (!(sub instanceof String subject) || subject.isEmpty()) {
                throw new TokenRejectedException(RejectReason.MALFORMED);
            }
            NumericDate iat = claims.getIssuedAt();
            return new VerifiedToken(subject, roles(claims), claims.getExpirationTime().getValueInMillis(),
                    iat == null ? 0 : iat.getValueInMillis(), claims.getJwtId());
        } catch (MalformedClaimException | ArithmeticException e) {
            // ArithmeticException: a date so far away its milliseconds overflow a long
            throw new TokenRejectedException(RejectReason.MALFORMED);
        }
    }

    /** The MicroProfile {@code groups} claim, where smallrye-jwt puts {@code smallrye.jwt.path.groups}. */
    private static Set<String> roles(JwtClaims claims) throws MalformedClaimException {
        Object value = claims.getClaimValue("groups");
        if (value == null) {
            return Set.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new MalformedClaimException("groups is not an array");
        }
        String[] roles = new String[list.size()];
        for (int i = 0; i < roles.length; i++) {
            if (!(list.get(i) instanceof String role)) {
                throw new MalformedClaimException("groups holds a non-string");
            }
            roles[i] = role;
        }
        return Set.copyOf(Arrays.asList(roles));
    }

    /**
     * Reads {@code alg} and {@code kid} from a compact JWS header. Anything but three parts of unpadded
     * base64url is malformed: a lenient decoder would let one signed token be written several ways.
     */
    private Header header(String token) throws TokenRejectedException {
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
        String kid = null;
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
                } else if ("kid".equals(field) && value == JsonToken.VALUE_STRING) {
                    kid = p.getText();
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
        return new Header(alg, kid);
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static RejectReason reasonOf(ParseException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException invalid) {
                return reasonOf(invalid);
            }
            if (cause instanceof UnresolvableKeyException) {
                return RejectReason.SIGNATURE;
            }
            if (cause instanceof InvalidAlgorithmException) {
                return RejectReason.ALGORITHM;
            }
        }
        return RejectReason.MALFORMED;
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
