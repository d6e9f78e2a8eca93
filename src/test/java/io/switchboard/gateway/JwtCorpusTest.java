package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A corpus of hostile and odd tokens beyond {@link UpgradeAuthTest}'s matrix, each sent as a real
 * upgrade: every one must get the documented 401 (status, reason, JSON body, WWW-Authenticate, no
 * socket), and the node must go on serving valid tokens.
 * <p>
 * The gateway trusts a JWKS with RSA kid {@code rsa-1} and EC kid {@code ec-1}, no PEM key and no
 * HS256 secret. Keys are selected by the {@code alg} family, then by {@code kid}; a header never
 * brings its own key ({@code jku}, {@code jwk}, {@code x5u} are ignored). Tokens are built by hand
 * where a library would refuse to build them (duplicate members, odd encodings), signed over their
 * exact bytes with the trusted RSA key, so any refusal is about the shape, not the signature.
 */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwtCorpusTest {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String RS256_HEADER = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}";
    /** switchboard.auth.max-token-bytes, default. */
    private static final int MAX_TOKEN_BYTES = 8192;

    @TestHTTPResource("/ws")
    URI ws;

    record Case(String name, String token, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Token building
    // ---------------------------------------------------------------------------------------------

    /** Payload members as raw JSON, in order; duplicates are allowed on purpose. */
    static final class Claims {
        private final List<String[]> members = new ArrayList<>();

        static Claims standard(String sub) {
            long now = System.currentTimeMillis() / 1000;
            return new Claims()
                    .add("iss", quote(TestKeys.ISSUER))
                    .add("aud", quote(TestKeys.AUDIENCE))
                    .add("sub", quote(sub))
                    .add("groups", "[\"user\"]")
                    .add("exp", Long.toString(now + 60))
                    .add("iat", Long.toString(now))
                    .add("jti", quote("corpus-" + System.nanoTime()));
        }

        Claims add(String name, String rawJson) {
            members.add(new String[] { name, rawJson });
            return this;
        }

        /** Replaces the first member of that name, or adds it. */
        Claims set(String name, String rawJson) {
            for (String[] m : members) {
                if (m[0].equals(name)) {
                    m[1] = rawJson;
                    return this;
                }
            }
            return add(name, rawJson);
        }

        Claims remove(String name) {
            members.removeIf(m -> m[0].equals(name));
            return this;
        }

        String json() {
            StringBuilder b = new StringBuilder("{");
            for (String[] m : members) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(quote(m[0])).append(':').append(m[1]);
            }
            return b.append('}').toString();
        }
    }

    static String quote(String s) {
        return io.vertx.core.json.Json.encode(s);
    }

    static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Signs the exact signing input {@code encodedHeader.encodedPayload} with RSASSA-PKCS1-v1_5 SHA-256. */
    static String signRs256(String encodedHeader, String encodedPayload, PrivateKey key) {
        String input = encodedHeader + "." + encodedPayload;
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64URL.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RS256 over the raw header and payload JSON, signed by the trusted RSA key. */
    static String rs256(String header, String payload) {
        return signRs256(b64(header), b64(payload), TestKeys.RSA.getPrivate());
    }

    static String rs256(String header, Claims claims) {
        return rs256(header, claims.json());
    }

    static String rs256(Claims claims) {
        return rs256(RS256_HEADER, claims.json());
    }

    static String rogue(String header, Claims claims) {
        return signRs256(b64(header), b64(claims.json()), TestKeys.ROGUE_RSA.getPrivate());
    }

    static String rogueJwk() {
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) TestKeys.ROGUE_RSA.getPublic());
        return jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /**
     * A valid token exactly {@code length} characters long. Base64 never yields a length of 4k+1, so a
     * padding header parameter and a padding claim are tuned together.
     */
    static String validTokenOfLength(String sub, int length) {
        int base = token(sub, 0, 0).length();
        int estimate = Math.max(0, (length - base) * 3 / 4);
        for (int p = Math.max(0, estimate - 8); p <= estimate + 8; p++) {
            for (int h = 0; h < 4; h++) {
                String token = token(sub, h, p);
                if (token.length() == length) {
                    return token;
                }
            }
        }
        throw new IllegalStateException("cannot build a token of " + length + " characters");
    }

    private static String token(String sub, int headerPad, int claimPad) {
        return rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"x\":" + quote("h".repeat(headerPad)) + "}",
                Claims.standard(sub).add("pad", quote("x".repeat(claimPad))));
    }

    // ---------------------------------------------------------------------------------------------
    // The corpus
    // ---------------------------------------------------------------------------------------------

    /** A fresh user per token, so a token wrongly accepted cannot push another case into the per-user cap. */
    private static String user() {
        return TestKeys.uniqueUser("corpus");
    }

    static List<Case> refusedTokens() {
        long now = System.currentTimeMillis() / 1000;
        String valid = rs256(Claims.standard(user()));
        String[] parts = valid.split("\\.");
        List<Case> cases = new ArrayList<>();

        // --- kid tricks: the kid only selects among trusted keys of the alg's family
        cases.add(new Case("unknown kid signed by the rogue key",
                rogue("{\"alg\":\"RS256\",\"kid\":\"rogue-1\"}", Claims.standard(user())), "signature"));
        cases.add(new Case("kid ../../etc/passwd signed by the trusted key",
                rs256("{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}", Claims.standard(user())), "signature"));
        cases.add(new Case("kid with SQL injection signed by the trusted key",
                rs256("{\"alg\":\"RS256\",\"kid\":\"' OR '1'='1' --\"}", Claims.standard(user())), "signature"));
        cases.add(new Case("kid of the EC key on an RS256 token signed by the RSA key",
                rs256("{\"alg\":\"RS256\",\"kid\":\"ec-1\"}", Claims.standard(user())), "signature"));
        cases.add(new Case("kid of the RSA key on an ES256 header, signed by the RSA key",
                rs256("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", Claims.standard(user())), "signature"));
        cases.add(new Case("kid is a number", rs256("{\"alg\":\"RS256\",\"kid\":1}", Claims.standard(user())), "malformed"));
        cases.add(new Case("kid is an object",
                rs256("{\"alg\":\"RS256\",\"kid\":{\"id\":\"rsa-1\"}}", Claims.standard(user())), "malformed"));

        // --- keys carried by the header are never used
        cases.add(new Case("jku pointing elsewhere, rogue-signed",
                rogue("{\"alg\":\"RS256\",\"kid\":\"rogue-1\",\"jku\":\"https://evil.test/jwks.json\"}", Claims.standard(user())),
                "signature"));
        cases.add(new Case("jku pointing elsewhere with the trusted kid, rogue-signed",
                rogue("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jku\":\"https://evil.test/jwks.json\"}", Claims.standard(user())),
                "signature"));
        cases.add(new Case("x5u pointing elsewhere, rogue-signed",
                rogue("{\"alg\":\"RS256\",\"kid\":\"rogue-1\",\"x5u\":\"https://evil.test/cert.pem\"}", Claims.standard(user())),
                "signature"));
        cases.add(new Case("embedded jwk of the rogue key, no kid, rogue-signed",
                rogue("{\"alg\":\"RS256\",\"jwk\":" + rogueJwk() + "}", Claims.standard(user())), "signature"));
        cases.add(new Case("embedded jwk of the rogue key, trusted kid, rogue-signed",
                rogue("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jwk\":" + rogueJwk() + "}", Claims.standard(user())), "signature"));
        cases.add(new Case("no kid at all, rogue-signed", rogue("{\"alg\":\"RS256\"}", Claims.standard(user())), "signature"));

        // --- duplicate members: two readers could disagree on which one counts
        cases.add(new Case("two sub claims", rs256(Claims.standard(user()).add("sub", quote("admin"))), "malformed"));
        cases.add(new Case("two exp claims, the expired one first",
                rs256(Claims.standard(user()).set("exp", Long.toString(now - 3600)).add("exp", Long.toString(now + 3600))),
                "malformed"));
        cases.add(new Case("two groups claims",
                rs256(Claims.standard(user()).add("groups", "[\"admin\"]")), "malformed"));
        cases.add(new Case("two kid headers", rs256("{\"alg\":\"RS256\",\"kid\":\"nope\",\"kid\":\"rsa-1\"}",
                Claims.standard(user())), "malformed"));
        cases.add(new Case("two alg headers", rs256("{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
                Claims.standard(user())), "malformed"));

        // --- critical header extensions the gateway does not understand
        cases.add(new Case("crit with an unknown extension",
                rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"sb-ext\"],\"sb-ext\":true}", Claims.standard(user())),
                "malformed"));
        cases.add(new Case("crit b64=false (unencoded payload)",
                rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"b64\"],\"b64\":false}", Claims.standard(user())),
                "malformed"));
        cases.add(new Case("cty JWT on a payload that is no JWT",
                rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"cty\":\"JWT\"}", Claims.standard(user())), "malformed"));
        cases.add(new Case("cty is a number",
                rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"cty\":7}", Claims.standard(user())), "malformed"));

        // --- size
        cases.add(new Case("one byte over max-token-bytes", validTokenOfLength(user(), MAX_TOKEN_BYTES + 1), "malformed"));

        // --- claim types
        cases.add(new Case("sub is a number", rs256(Claims.standard(user()).set("sub", "42")), "malformed"));
        cases.add(new Case("sub is an object", rs256(Claims.standard(user()).set("sub", "{\"id\":\"alice\"}")), "malformed"));
        cases.add(new Case("sub is null", rs256(Claims.standard(user()).set("sub", "null")), "malformed"));
        cases.add(new Case("sub is empty", rs256(Claims.standard(user()).set("sub", "\"\"")), "malformed"));
        cases.add(new Case("groups is a number", rs256(Claims.standard(user()).set("groups", "7")), "malformed"));
        cases.add(new Case("groups holds a number", rs256(Claims.standard(user()).set("groups", "[\"user\",1]")), "malformed"));
        cases.add(new Case("groups holds an array", rs256(Claims.standard(user()).set("groups", "[[\"user\"]]")), "malformed"));
        cases.add(new Case("groups is an object", rs256(Claims.standard(user()).set("groups", "{\"user\":true}")), "malformed"));
        cases.add(new Case("exp is a string", rs256(Claims.standard(user()).set("exp", quote(Long.toString(now + 60)))), "malformed"));
        cases.add(new Case("exp is a boolean", rs256(Claims.standard(user()).set("exp", "true")), "malformed"));
        cases.add(new Case("exp is null", rs256(Claims.standard(user()).set("exp", "null")), "malformed"));
        cases.add(new Case("exp is a float in the past", rs256(Claims.standard(user()).set("exp", (now - 120) + ".5")), "expired"));
        cases.add(new Case("nbf is a string", rs256(Claims.standard(user()).add("nbf", quote(Long.toString(now - 10)))), "malformed"));
        cases.add(new Case("iat is a string", rs256(Claims.standard(user()).set("iat", quote(Long.toString(now)))), "malformed"));
        cases.add(new Case("jti is a number", rs256(Claims.standard(user()).set("jti", "12345")), "malformed"));

        // --- alg spelling
        cases.add(new Case("alg RS256 with a trailing space",
                rs256("{\"alg\":\"RS256 \",\"kid\":\"rsa-1\"}", Claims.standard(user())), "algorithm"));
        cases.add(new Case("alg rs256 in lower case", rs256("{\"alg\":\"rs256\",\"kid\":\"rsa-1\"}", Claims.standard(user())), "algorithm"));
        cases.add(new Case("alg NONE in upper case", b64("{\"alg\":\"NONE\"}") + "." + b64(Claims.standard(user()).json()) + ".",
                "algorithm"));
        cases.add(new Case("alg HS256 with an empty signature",
                b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(Claims.standard(user()).json()) + ".", "algorithm"));
        cases.add(new Case("alg is a number", rs256("{\"alg\":256,\"kid\":\"rsa-1\"}", Claims.standard(user())), "malformed"));
        cases.add(new Case("no alg", rs256("{\"kid\":\"rsa-1\"}", Claims.standard(user())), "malformed"));

        // --- structure and encoding
        cases.add(new Case("four parts", valid + ".AAAA", "malformed"));
        cases.add(new Case("five parts", valid + ".AAAA.BBBB", "malformed"));
        cases.add(new Case("JWE-shaped token", b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".ZW5jcnlwdGVka2V5.aXZpdml2aXZpdml2."
                + "Y2lwaGVydGV4dA.dGFndGFndGFndGFn", "malformed"));
        cases.add(new Case("empty signature on RS256", parts[0] + "." + parts[1] + ".", "signature"));
        cases.add(new Case("empty payload", signRs256(parts[0], "", TestKeys.RSA.getPrivate()), "malformed"));
        cases.add(new Case("header is a JSON array", rs256("[\"RS256\"]", Claims.standard(user())), "malformed"));
        cases.add(new Case("header is not JSON", rs256("alg=RS256", Claims.standard(user())), "malformed"));
        cases.add(new Case("payload is a JSON array", rs256(RS256_HEADER, "[\"alice\"]"), "malformed"));
        cases.add(new Case("payload is not JSON", rs256(RS256_HEADER, "sub=alice"), "malformed"));

        String paddedHeader = Base64.getUrlEncoder().encodeToString(RS256_HEADER.getBytes(StandardCharsets.UTF_8));
        String paddedPayload = Base64.getUrlEncoder().encodeToString(payloadNeedingPadding(user()).getBytes(StandardCharsets.UTF_8));
        assertTrue(paddedHeader.endsWith("=") || paddedPayload.endsWith("="), "test set-up: some padding expected");
        cases.add(new Case("base64 with padding, signed over the padded text",
                signRs256(paddedHeader, paddedPayload, TestKeys.RSA.getPrivate()), "malformed"));
        String stdPayload = Base64.getEncoder().withoutPadding().encodeToString(payloadWithStandardAlphabet(user())
                .getBytes(StandardCharsets.UTF_8));
        cases.add(new Case("payload in the standard base64 alphabet, signed over that text",
                signRs256(b64(RS256_HEADER), stdPayload, TestKeys.RSA.getPrivate()), "malformed"));
        String stdSignature = parts[2].replace('-', '+').replace('_', '/');
        if (!stdSignature.equals(parts[2])) {
            cases.add(new Case("valid token with its signature in the standard base64 alphabet",
                    parts[0] + "." + parts[1] + "." + stdSignature, "malformed"));
        }
        cases.add(new Case("valid token with its signature re-encoded with padding",
                parts[0] + "." + parts[1] + "." + parts[2] + "==", "malformed"));
        return cases;
    }

    /** Claims whose JSON length is not a multiple of 3, so standard base64 would pad it. */
    static String payloadNeedingPadding(String sub) {
        Claims claims = Claims.standard(sub);
        String json = claims.json();
        int extra = 0;
        while (json.length() % 3 == 0) {
            json = claims.set("x", quote("y".repeat(++extra))).json();
        }
        return json;
    }

    /** Claims whose base64 has a '+' or '/' in it, so the standard alphabet differs from base64url. */
    static String payloadWithStandardAlphabet(String sub) {
        Claims claims = Claims.standard(sub);
        for (int i = 0;; i++) {
            String json = claims.set("x", quote("?>~" + "?".repeat(i))).json();
            String std = Base64.getEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
            if (std.contains("+") || std.contains("/")) {
                return json;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Tests
    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    @Order(1)
    void refusedWithTheDocumentedAnswer(Case c) {
        assertRefused(c.name(), upgrade(o -> o.addHeader("Authorization", "Bearer " + c.token())), c.reason());
    }

    /** The same corpus through the browser carrier gets the same answer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    @Order(2)
    void refusedTheSameThroughTheSubprotocol(Case c) {
        // a subprotocol token cannot hold characters outside the RFC 7230 token set; those cases stay on the header
        if (!c.token().matches("[A-Za-z0-9._-]+")) {
            return;
        }
        assertRefused(c.name() + " (subprotocol)", upgrade(o -> o.setSubProtocols(List.of("switchboard.v1", "bearer." + c.token()))),
                c.reason());
    }

    @Test
    @Order(3)
    void exactlyMaxTokenBytesIsAccepted() {
        String sub = TestKeys.uniqueUser("long");
        String token = validTokenOfLength(sub, MAX_TOKEN_BYTES);
        assertEquals(MAX_TOKEN_BYTES, token.length());
        assertAccepted(token, sub);
    }

    /**
     * Observed behaviour, recorded: {@code typ} is not checked at all (not even its JSON type). RFC 7519
     * makes it advisory and the protocol says nothing about it; the signature, alg and claims decide.
     * A change here (say, refusing {@code "JWE"} or a non-string) is a deliberate protocol decision.
     */
    @ParameterizedTest(name = "typ {0}")
    @MethodSource("typs")
    @Order(4)
    void typHeaderIsAdvisory(String typJson) {
        String sub = TestKeys.uniqueUser("typ");
        assertAccepted(rs256("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"typ\":" + typJson + "}", Claims.standard(sub)), sub);
    }

    static List<String> typs() {
        return List.of("\"at+jwt\"", "\"JWE\"", "123", "null", "\"\"");
    }

    /**
     * PROTOCOL section 1 requires only {@code sub} and {@code exp}: {@code iat}, {@code nbf} and {@code jti}
     * are optional. Tokens minted with jsonwebtoken's {@code noTimestamp} (as the benchmark's load
     * generator does) carry no {@code iat}, and were refused as malformed once verification went
     * through smallrye-jwt, whose parser wants {@code iat} whenever a token age or lifetime is checked.
     */
    @ParameterizedTest(name = "without {0}")
    @MethodSource("optionalClaims")
    @Order(5)
    void optionalClaimsMayBeAbsent(String claim) {
        String sub = TestKeys.uniqueUser("optional");
        assertAccepted(rs256(Claims.standard(sub).remove(claim)), sub);
    }

    static List<String> optionalClaims() {
        return List.of("iat", "jti", "groups");
    }

    /** RFC 7519 NumericDate may have a fraction; the gateway keeps the whole seconds. */
    @Test
    @Order(5)
    void expAsAFloatInTheFutureIsAccepted() {
        String sub = TestKeys.uniqueUser("float");
        long now = System.currentTimeMillis() / 1000;
        JsonObject welcome = assertAccepted(rs256(Claims.standard(sub).set("exp", (now + 60) + ".75")), sub);
        assertEquals(now + 60, welcome.getLong("exp"));
    }

    /** An exp far beyond any clock must not overflow into a negative or past expiry. */
    @ParameterizedTest(name = "exp {0}")
    @MethodSource("farExps")
    @Order(6)
    void farFutureExpIsRefusedOrKeptSane(String exp) {
        String sub = TestKeys.uniqueUser("far");
        WsClient.Upgrade upgrade = upgrade(o -> o.addHeader("Authorization", "Bearer " + rs256(Claims.standard(sub).set("exp", exp))));
        if (upgrade.status() != 101) {
            assertRefused(upgrade, "malformed");
            return;
        }
        assertEquals(101, upgrade.status(), upgrade.body());
        try (WsClient client = upgrade.client()) {
            JsonObject welcome = client.next();
            long now = System.currentTimeMillis() / 1000;
            assertTrue(welcome.getLong("exp") > now, "welcome exp " + welcome.getLong("exp") + " for exp " + exp);
            // and the connection is usable, not closed as expired at once
            assertEquals("ok", client.join("chat:far").getString("status"), "a token expiring in the far future");
        }
    }

    static List<String> farExps() {
        // 10^16 s is the first power of ten whose milliseconds overflow a long
        return List.of("10000000000000000", "9223372036854775807", "1e300", "99999999999999999999");
    }

    /** A 1 MB token gets no socket, and the node goes on serving. */
    @Test
    @Order(7)
    void oneMegabyteTokenGetsNoSocketAndTheNodeSurvives() {
        WsClient.Upgrade upgrade = upgradeWithOneMegabyteToken();
        if (upgrade != null) {
            try {
                assertTrue(upgrade.client() == null, "a 1 MB token got a socket");
                assertTrue(upgrade.status() >= 400 && upgrade.status() < 500, "status " + upgrade.status());
            } finally {
                if (upgrade.client() != null) {
                    upgrade.client().close();
                }
            }
        }
        assertServesValidTokens();
    }

    /**
     * ... and it is refused by the HTTP layer before the gateway sees it: a header over Quarkus'
     * header limit (20 KiB) is answered 431 with no body, as docs/protocol.md says.
     */
    @Test
    @Order(8)
    void oneMegabyteTokenIsRefusedByTheHeaderLimit() {
        WsClient.Upgrade upgrade = upgradeWithOneMegabyteToken();
        assertTrue(upgrade != null, "no HTTP answer at all to a 1 MB token");
        assertEquals(431, upgrade.status());
        assertTrue(upgrade.client() == null);
    }

    /** The upgrade answer to a 1 MB bearer token, or null when the connection closed without one. */
    private WsClient.Upgrade upgradeWithOneMegabyteToken() {
        String huge = rs256(Claims.standard(user()).add("pad", quote("x".repeat(768 * 1024))));
        assertTrue(huge.length() >= 1_000_000, "test set-up: " + huge.length());
        try {
            return upgrade(o -> o.addHeader("Authorization", "Bearer " + huge));
        } catch (IllegalStateException e) {
            return null;
        }
    }

    @Test
    @Order(100)
    void nodeStillServesValidTokensAfterTheCorpus() {
        assertServesValidTokens();
        // ES256 from the JWKS too
        String sub = TestKeys.uniqueUser("after-es");
        assertAccepted(TestKeys.es256(TestKeys.claims(sub, 60, "user")), sub);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private WsClient.Upgrade upgrade(Consumer<WebSocketConnectOptions> options) {
        return WsClient.upgrade(ws, options);
    }

    /** {@link UpgradeAuthTest#assertUnauthorized}, closing the socket when a token was wrongly accepted. */
    private static void assertRefused(WsClient.Upgrade upgrade, String reason) {
        assertRefused(null, upgrade, reason);
    }

    private static void assertRefused(String name, WsClient.Upgrade upgrade, String reason) {
        try {
            UpgradeAuthTest.assertUnauthorized(upgrade, reason);
        } catch (AssertionError e) {
            String body = upgrade.body() == null ? "" : upgrade.body();
            throw new AssertionError((name == null ? "" : name + ": ") + "expected 401 " + reason + ", got " + upgrade.status()
                    + (upgrade.client() != null ? " (a socket)" : " " + body.substring(0, Math.min(200, body.length())))
                    + " -- " + e.getMessage(), e);
        } finally {
            if (upgrade.client() != null) {
                upgrade.client().close();
            }
        }
    }

    private JsonObject assertAccepted(String token, String sub) {
        WsClient.Upgrade upgrade = upgrade(o -> o.addHeader("Authorization", "Bearer " + token));
        assertEquals(101, upgrade.status(), upgrade.body());
        try (WsClient client = upgrade.client()) {
            JsonObject welcome = client.next();
            assertEquals("welcome", welcome.getString("op"));
            assertEquals(sub, welcome.getString("user"));
            return welcome;
        }
    }

    private void assertServesValidTokens() {
        String sub = TestKeys.uniqueUser("after");
        try (WsClient client = WsClient.connect(ws, TestKeys.token(sub, 60, "user"))) {
            assertEquals("ok", client.join("chat:after").getString("status"));
        }
    }
}
