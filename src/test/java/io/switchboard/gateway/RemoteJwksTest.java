package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
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
 * Keys fetched from a JWKS URL served by a real HTTP server, and key rotation at the identity
 * provider: a token signed with a key the JWKS has just published is accepted at once (the node
 * fetches the JWKS again for the unknown key id, off the event loop), and a flood of tokens with
 * made-up key ids costs at most one fetch per forced-refresh interval.
 */
@QuarkusTest
@TestProfile(RemoteJwksTest.Rotating.class)
class RemoteJwksTest {

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
            try {
                document = Files.readString(TestKeys.files().resolve("jwks.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
    void tokensSignedWithRemoteKeysAreAccepted() {
        try (WsClient rsa = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("remote"), 60, "user"));
                WsClient ec = WsClient.connect(ws, TestKeys.es256(TestKeys.claims(TestKeys.uniqueUser("remote"), 60, "user")))) {
            assertEquals("ok", rsa.join("chat:remote").getString("status"));
            assertEquals("ok", ec.join("chat:remote").getString("status"));
        }
    }

    @Test
    void aTokenSignedWithANewlyPublishedKeyIsAcceptedAtOnceAndUnknownKidsCostOneFetch() throws Exception {
        assertEquals(1, RotatingJwks.FETCHES.get(), "the node fetched its keys once at startup");
        KeyPair rotated = rsa();
        RsaJsonWebKey fresh = new RsaJsonWebKey((RSAPublicKey) rotated.getPublic());
        fresh.setKeyId("rsa-2");
        List<JsonWebKey> published = new ArrayList<>(new JsonWebKeySet(RotatingJwks.document).getJsonWebKeys());
        published.add(fresh);
        RotatingJwks.document = new JsonWebKeySet(published).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);

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
}
