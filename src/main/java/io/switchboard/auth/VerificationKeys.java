package io.switchboard.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.OctetSequenceJsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * The keys tokens may be signed with, grouped by algorithm family. Immutable: a JWKS refresh builds a
 * new instance and swaps it in, so verification never sees a half-updated key set.
 * <p>
 * Read from the MicroProfile JWT key settings, all of them side by side (smallrye-jwt itself picks
 * one): {@code mp.jwt.verify.publickey} (PEM, JWK or JWKS inline), {@code mp.jwt.verify.publickey.location}
 * (the same from a file or classpath resource; an http(s) JWKS is fetched by {@link RemoteJwks} and
 * handed in as a document) and {@code smallrye.jwt.verify.secretkey} (the HS256 secret).
 */
final class VerificationKeys {
    static final String RS256 = "RS256";
    static final String ES256 = "ES256";
    static final String HS256 = "HS256";
    private static final int MIN_HMAC_BYTES = 32;

    private final List<KeyEntry> rsa;
    private final List<KeyEntry> ec;
    private final Key hmac;

    private record KeyEntry(String kid, Key key) {
    }

    private VerificationKeys(List<KeyEntry> rsa, List<KeyEntry> ec, Key hmac) {
        this.rsa = List.copyOf(rsa);
        this.ec = List.copyOf(ec);
        this.hmac = hmac;
    }

    /** The key settings, as configured ({@code NONE} is smallrye-jwt's "not set"). */
    record Sources(Optional<String> publicKey, Optional<String> location, Optional<String> secret) {
        Sources {
            publicKey = publicKey.filter(Sources::isSet);
            location = location.filter(Sources::isSet);
            secret = secret.filter(Sources::isSet);
        }

        private static boolean isSet(String value) {
            return !value.isBlank() && !"NONE".equals(value);
        }

        Optional<String> remoteLocation() {
            return location.filter(VerificationKeys::isRemote);
        }
    }

    /** Reads every configured key source; fails with a message naming the bad setting. */
    static VerificationKeys load(Sources sources, String remoteJwks) {
        List<KeyEntry> rsa = new ArrayList<>();
        List<KeyEntry> ec = new ArrayList<>();
        sources.publicKey().ifPresent(content -> addAll(rsa, ec, content, "mp.jwt.verify.publickey"));
        sources.location().ifPresent(location -> addAll(rsa, ec,
                isRemote(location) ? remoteJwks : readLocal(location, RemoteJwks.LOCATION_KEY), RemoteJwks.LOCATION_KEY));
        Key hmac = sources.secret().map(VerificationKeys::hmac).orElse(null);
        if (rsa.isEmpty() && ec.isEmpty() && hmac == null) {
            throw new IllegalStateException("No token verification key: set mp.jwt.verify.publickey, "
                    + RemoteJwks.LOCATION_KEY + " or smallrye.jwt.verify.secretkey");
        }
        return new VerificationKeys(rsa, ec, hmac);
    }

    private static Key hmac(String secret) {
        byte[] bytes = secretBytes(secret);
        if (bytes.length < MIN_HMAC_BYTES) {
            throw new IllegalStateException("smallrye.jwt.verify.secretkey must be at least " + MIN_HMAC_BYTES + " bytes");
        }
        return new HmacKey(bytes);
    }

    /** The secret as a JWK ({@code "kty":"oct"}) or, as smallrye-jwt also reads it, the raw string. */
    private static byte[] secretBytes(String content) {
        String text = content.strip();
        if (text.startsWith("{")) {
            try {
                JsonWebKey jwk = JsonWebKey.Factory.newJwk(text);
                if (jwk instanceof OctetSequenceJsonWebKey oct) {
                    return oct.getOctetSequence();
                }
            } catch (JoseException e) {
                throw new IllegalStateException("smallrye.jwt.verify.secretkey: not a valid JWK: " + e.getMessage());
            }
            throw new IllegalStateException("smallrye.jwt.verify.secretkey: the JWK is not an octet sequence (oct)");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    boolean allows(String alg) {
        return switch (alg) {
            case RS256 -> !rsa.isEmpty();
            case ES256 -> !ec.isEmpty();
            case HS256 -> hmac != null;
            default -> false;
        };
    }

    /**
     * The key for a token header; null when none fits, so the signature cannot be right. A key id
     * that names no key and that a fresh JWKS might know is reported through {@link #knows}.
     */
    Key select(String alg, String kid) {
        return switch (alg) {
            case HS256 -> hmac;
            case RS256 -> byKid(rsa, kid);
            case ES256 -> byKid(ec, kid);
            default -> null;
        };
    }

    /** Whether a token's key id has a key here (always true for HS256 and for tokens without kid). */
    boolean knows(String alg, String kid) {
        return HS256.equals(alg) || kid == null || select(alg, kid) != null;
    }

    private static Key byKid(List<KeyEntry> keys, String kid) {
        if (kid != null) {
            for (KeyEntry k : keys) {
                if (kid.equals(k.kid())) {
                    return k.key();
                }
            }
        }
        // A key without a kid (a configured PEM key) stands for any kid: the signature decides.
        for (KeyEntry k : keys) {
            if (k.kid() == null) {
                return k.key();
            }
        }
        return kid == null && !keys.isEmpty() ? keys.get(0).key() : null;
    }

    /** A PEM public key or certificate, a JWK or a JWKS. */
    private static void addAll(List<KeyEntry> rsa, List<KeyEntry> ec, String content, String setting) {
        String text = content.strip();
        if (!text.startsWith("{")) {
            add(rsa, ec, null, parsePem(text, setting));
            return;
        }
        try {
            List<JsonWebKey> jwks = text.contains("\"keys\"") ? new JsonWebKeySet(text).getJsonWebKeys()
                    : List.of(JsonWebKey.Factory.newJwk(text));
            for (JsonWebKey jwk : jwks) {
                if (jwk instanceof PublicJsonWebKey pub && (jwk.getUse() == null || "sig".equals(jwk.getUse()))) {
                    add(rsa, ec, jwk.getKeyId(), pub.getPublicKey());
                }
            }
        } catch (JoseException e) {
            throw new IllegalStateException(setting + ": not a valid JWK or JWKS document: " + e.getMessage());
        }
    }

    private static void add(List<KeyEntry> rsa, List<KeyEntry> ec, String kid, PublicKey key) {
        if (key instanceof RSAPublicKey) {
            rsa.add(new KeyEntry(kid, key));
        } else if (key instanceof ECPublicKey) {
            ec.add(new KeyEntry(kid, key));
        }
    }

    private static PublicKey parsePem(String pem, String setting) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + ": not a PEM public key, JWK or JWKS");
        }
        if (pem.contains("CERTIFICATE")) {
            try {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            } catch (CertificateException e) {
                throw new IllegalStateException(setting + ": not an X.509 certificate: " + e.getMessage());
            }
        }
        for (String type : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception ignored) {
                // try the next key type
            }
        }
        throw new IllegalStateException(setting + ": not an RSA or EC public key (PEM, SubjectPublicKeyInfo)");
    }

    /** Reads a file path (optionally {@code file:}), else a classpath resource. */
    static String readLocal(String location, String setting) {
        String stripped = location.startsWith("file:") ? location.substring("file:".length()) : location;
        Path path = Path.of(stripped);
        try {
            if (Files.isRegularFile(path)) {
                return Files.readString(path);
            }
            String resource = stripped.startsWith("classpath:") ? stripped.substring("classpath:".length()) : stripped;
            try (InputStream in = Thread.currentThread().getContextClassLoader()
                    .getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
                if (in != null) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(setting + ": cannot read " + location + ": " + e.getMessage());
        }
        throw new IllegalStateException(setting + ": no file or classpath resource " + location);
    }

    static boolean isRemote(String location) {
        return location.startsWith("https://") || location.startsWith("http://");
    }
}
