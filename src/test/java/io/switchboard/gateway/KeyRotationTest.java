package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * Key rotation at the identity provider: a token signed with a key the JWKS has just published is
 * accepted at once (the node fetches the JWKS again for the unknown key id, off the event loop), and
 * a flood of tokens with made-up key ids costs at most one fetch per forced-refresh interval.
 */
@QuarkusTest
@TestProfile(KeyRotationTest.Rotating.class)
class KeyRotationTest {

    public static class Rotating implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RotatingJwks.class));
        }
    }

    /** A JWKS server whose document the test replaces, counting every fetch. */
    public static class RotatingJwks implements QuarkusTestResourceLifecycleManager {
        static final AtomicInteger FETCHES = new AtomicInteger();
        static volatile String document;
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            document = jwks(new RsaJsonWebKey((RSAPublicKey) TestKeys.RSA.getPublic()), "rsa-1");
            vertx = Vertx.vertx();
            try {
                HttpServer server = vertx.createHttpServer()
                        .requestHandler(request -> {
                            FETCHES.incrementAndGet();
                            request.response().putHeader("Content-Type", "application/json").end(document);
                        })
                        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                return TestKeys.verification("http://127.0.0.1:" + server.actualPort() + "/jwks.json");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            vertx.close();
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aTokenSignedWithANewlyPublishedKeyIsAcceptedAtOnceAndUnknownKidsCostOneFetch() throws Exception {
        assertEquals(1, RotatingJwks.FETCHES.get(), "the node fetched its keys once at startup");
        KeyPair rotated = rsa();
        RsaJsonWebKey old = new RsaJsonWebKey((RSAPublicKey) TestKeys.RSA.getPublic());
        RsaJsonWebKey fresh = new RsaJsonWebKey((RSAPublicKey) rotated.getPublic());
        RotatingJwks.document = jwks(old, "rsa-1", fresh, "rsa-2");

        // The token of the new key arrives together with a flood of made-up key ids.
        String user = TestKeys.uniqueUser("rotated");
        String rotatedToken = TestKeys.sign(TestKeys.claims(user, 60, "user"), AlgorithmIdentifiers.RSA_USING_SHA256,
                rotated.getPrivate(), "rsa-2");
        List<CompletableFuture<WsClient.Upgrade>> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(CompletableFuture.supplyAsync(() -> WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                    "Bearer " + randomKidToken()))));
        }
        WsClient.Upgrade accepted = WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + rotatedToken));
        assertEquals(101, accepted.status(), accepted.body());
        accepted.client().close();
        for (CompletableFuture<WsClient.Upgrade> upgrade : flood) {
            UpgradeAuthTest.assertUnauthorized(upgrade.get(30, TimeUnit.SECONDS), "signature");
        }
        // More made-up key ids within the forced-refresh interval fetch nothing.
        for (int i = 0; i < 5; i++) {
            UpgradeAuthTest.assertUnauthorized(WsClient.upgrade(ws, o -> o.addHeader("Authorization",
                    "Bearer " + randomKidToken())), "signature");
        }
        assertEquals(2, RotatingJwks.FETCHES.get(), "one fetch at startup, one for all the unknown key ids");
        // The old key still works beside the new one.
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("old"), 60, "user"))) {
            assertEquals("ok", client.join("chat:rotation").getString("status"));
        }
    }

    private static String randomKidToken() {
        return TestKeys.sign(TestKeys.claims(TestKeys.uniqueUser("flood"), 60, "user"),
                AlgorithmIdentifiers.RSA_USING_SHA256, TestKeys.ROGUE_RSA.getPrivate(), UUID.randomUUID().toString());
    }

    private static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String jwks(Object... keysAndKids) {
        List<JsonWebKey> keys = new ArrayList<>();
        for (int i = 0; i < keysAndKids.length; i += 2) {
            JsonWebKey key = (JsonWebKey) keysAndKids[i];
            key.setKeyId((String) keysAndKids[i + 1]);
            keys.add(key);
        }
        return new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }
}
