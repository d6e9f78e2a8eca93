package io.switchboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Real key pairs, made once per test JVM, and a token factory over them. The gateway under test
 * reads the public halves from files this class writes (see {@link AuthTestResource}).
 */
public final class TestKeys {
    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "switchboard";
    public static final String HS256_SECRET = "test-only-hs256-secret-0123456789abcdef";

    public static final KeyPair RSA = generate("RSA", null);
    public static final KeyPair EC = generate("EC", "secp256r1");
    /** Trusted by nobody: signs the "bad signature" cases. */
    public static final KeyPair ROGUE_RSA = generate("RSA", null);

    private static final java.util.concurrent.atomic.AtomicInteger USERS = new java.util.concurrent.atomic.AtomicInteger();
    private static Path dir;

    private TestKeys() {
    }

    /** Writes the JWKS (RSA kid rsa-1, EC kid ec-1) and the RSA public key PEM; returns the directory. */
    public static synchronized Path files() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("switchboard-test-keys");
                RsaJsonWebKey rsa = new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) RSA.getPublic());
                rsa.setKeyId("rsa-1");
                EllipticCurveJsonWebKey ec = new EllipticCurveJsonWebKey((java.security.interfaces.ECPublicKey) EC.getPublic());
                ec.setKeyId("ec-1");
                Files.writeString(dir.resolve("jwks.json"), new JsonWebKeySet(List.<JsonWebKey> of(rsa, ec))
                        .toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
                Files.writeString(dir.resolve("rsa-public.pem"), publicPem(RSA));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /**
     * The MicroProfile JWT configuration of a node that trusts these keys: {@code location} is the JWKS
     * (file or URL) or a PEM, with this issuer and audience, RS256 and ES256.
     */
    public static Map<String, String> verification(String location) {
        return Map.of(
                "mp.jwt.verify.publickey.location", location,
                "mp.jwt.verify.publickey.algorithm", "RS256,ES256",
                "mp.jwt.verify.issuer", ISSUER,
                "mp.jwt.verify.audiences", AUDIENCE);
    }

    public static String publicPem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** Standard valid claims: iss, aud, sub, groups, exp in {@code ttlSeconds}, iat, jti. */
    public static JwtClaims claims(String sub, long ttlSeconds, String... roles) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject(sub);
        claims.setStringListClaim("groups", roles);
        long now = System.currentTimeMillis() / 1000;
        claims.setClaim("exp", now + ttlSeconds);
        claims.setClaim("iat", now);
        claims.setGeneratedJwtId();
        return claims;
    }

    /** A user name no other test uses, so per-user connection caps never couple tests. */
    public static String uniqueUser(String prefix) {
        return prefix + "-" + USERS.incrementAndGet();
    }

    /** A valid RS256 token for {@code sub} with the given roles, living {@code ttlSeconds}. */
    public static String token(String sub, long ttlSeconds, String... roles) {
        return rs256(claims(sub, ttlSeconds, roles));
    }

    public static String rs256(JwtClaims claims) {
        return sign(claims, AlgorithmIdentifiers.RSA_USING_SHA256, RSA.getPrivate(), "rsa-1");
    }

    public static String es256(JwtClaims claims) {
        return sign(claims, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256, EC.getPrivate(), "ec-1");
    }

    public static String hs256(JwtClaims claims, byte[] secret) {
        return sign(claims, AlgorithmIdentifiers.HMAC_SHA256, new HmacKey(secret), null);
    }

    public static String sign(JwtClaims claims, String alg, Key key, String kid) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        if (kid != null) {
            jws.setKeyIdHeaderValue(kid);
        }
        jws.getHeaders();
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token ({@code alg: none}). */
    public static String unsigned(JwtClaims claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toJson().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The token with its payload replaced but the original signature kept. */
    public static String tamper(String token, Map<String, Object> extraClaims) {
        String[] parts = token.split("\\.");
        try {
            JwtClaims claims = JwtClaims.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            extraClaims.forEach(claims::setClaim);
            return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(claims.toJson().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        } catch (org.jose4j.jwt.consumer.InvalidJwtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String type, String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                generator.initialize(new ECGenParameterSpec(curve));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
