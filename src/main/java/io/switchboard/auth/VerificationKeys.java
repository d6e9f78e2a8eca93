package io.switchboard.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The keys tokens may be signed with, grouped by algorithm. Immutable: a JWKS refresh builds a new
 * instance and swaps it in, so verification never sees a half-updated key set.
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

    /** Reads every configured key source; fails with a message naming the bad setting. */
    static VerificationKeys load(AuthConfig config, String jwksDocument) {
        List<KeyEntry> rsa = new ArrayList<>();
        List<KeyEntry> ec = new ArrayList<>();
        config.publicKey().ifPresent(pem -> add(rsa, ec, null, parsePem(pem, "switchboard.auth.public-key")));
        config.publicKeyLocation().ifPresent(location -> add(rsa, ec, null,
                parsePem(readLocal(location, "switchboard.auth.public-key-location"), "switchboard.auth.public-key-location")));
        if (jwksDocument != null) {
            try {
                for (JsonWebKey jwk : new JsonWebKeySet(jwksDocument).getJsonWebKeys()) {
                    if (jwk instanceof PublicJsonWebKey pub && "sig".equals(orDefault(jwk.getUse(), "sig"))) {
                        add(rsa, ec, jwk.getKeyId(), pub.getPublicKey());
                    }
                }
            } catch (JoseException e) {
                throw new IllegalStateException("switchboard.auth.jwks-location: not a valid JWKS document: " + e.getMessage());
            }
        }
        Key hmac = config.hs256Secret().map(secret -> {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_HMAC_BYTES) {
                throw new IllegalStateException("switchboard.auth.hs256-secret must be at least " + MIN_HMAC_BYTES + " bytes");
            }
            return (Key) new HmacKey(bytes);
        }).orElse(null);
        if (rsa.isEmpty() && ec.isEmpty() && hmac == null) {
            throw new IllegalStateException("No token verification key: set switchboard.auth.public-key, "
                    + "switchboard.auth.public-key-location, switchboard.auth.jwks-location or switchboard.auth.hs256-secret");
        }
        return new VerificationKeys(rsa, ec, hmac);
    }

    boolean allows(String alg) {
        return switch (alg) {
            case RS256 -> !rsa.isEmpty();
            case ES256 -> !ec.isEmpty();
            case HS256 -> hmac != null;
            default -> false;
        };
    }

    String[] algorithms() {
        List<String> algs = new ArrayList<>(3);
        for (String alg : List.of(RS256, ES256, HS256)) {
            if (allows(alg)) {
                algs.add(alg);
            }
        }
        return algs.toArray(String[]::new);
    }

    /** The key for a token header, or null when none fits (the signature cannot be right). */
    Key select(String alg, String kid) {
        return switch (alg) {
            case HS256 -> hmac;
            case RS256 -> byKid(rsa, kid);
            case ES256 -> byKid(ec, kid);
            default -> null;
        };
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
            throw new IllegalStateException(setting + ": not a PEM public key");
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

    /** Reads a file path, else a classpath resource. */
    static String readLocal(String location, String setting) {
        Path path = Path.of(location);
        try {
            if (Files.isRegularFile(path)) {
                return Files.readString(path);
            }
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
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

    /** Fetches a JWKS document; the caller decides whether to wait (startup) or not (refresh). */
    static Future<String> fetch(HttpClient client, String url) {
        return client.request(new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.GET).setTimeout(10_000))
                .compose(request -> request.send())
                .compose(response -> response.statusCode() == 200
                        ? response.body().map(Buffer::toString)
                        : Future.failedFuture("switchboard.auth.jwks-location: " + url + " answered " + response.statusCode()));
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
