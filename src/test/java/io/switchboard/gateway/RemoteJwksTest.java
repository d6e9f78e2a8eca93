package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

/** Keys fetched from a JWKS URL served by a real HTTP server. */
@QuarkusTest
@TestProfile(RemoteJwksTest.RemoteJwks.class)
class RemoteJwksTest {

    public static class RemoteJwks implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(JwksServer.class));
        }
    }

    public static class JwksServer implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            String jwks;
            try {
                jwks = Files.readString(TestKeys.files().resolve("jwks.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            vertx = Vertx.vertx();
            try {
                HttpServer server = vertx.createHttpServer()
                        .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(jwks))
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
}
