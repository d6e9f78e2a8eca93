package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.switchboard.support.AuthTestResource;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;

/** HS256 is accepted only with a configured secret, next to the asymmetric keys. */
@QuarkusTest
@QuarkusTestResource(AuthTestResource.class)
@TestProfile(Hs256Test.WithSecret.class)
class Hs256Test {

    public static class WithSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("smallrye.jwt.verify.secretkey", TestKeys.HS256_SECRET);
        }
    }

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void hs256WithTheSecretIsAccepted() {
        String token = TestKeys.hs256(TestKeys.claims(TestKeys.uniqueUser("hs"), 60, "user"),
                TestKeys.HS256_SECRET.getBytes(StandardCharsets.UTF_8));
        try (WsClient client = WsClient.connect(ws, token)) {
            assertEquals("ok", client.join("chat:hs").getString("status"));
        }
    }

    @Test
    void rs256StillAcceptedBesideIt() {
        try (WsClient client = WsClient.connect(ws, TestKeys.token(TestKeys.uniqueUser("rs"), 60, "user"))) {
            assertEquals("ok", client.join("chat:rs").getString("status"));
        }
    }

    @Test
    void hs256KeyedWithTheRsaPublicKeyIsABadSignature() {
        String forged = TestKeys.sign(TestKeys.claims("mallory", 60, "user", "admin"), AlgorithmIdentifiers.HMAC_SHA256,
                new HmacKey(TestKeys.publicPem(TestKeys.RSA).getBytes(StandardCharsets.US_ASCII)), "rsa-1");
        UpgradeAuthTest.assertUnauthorized(WsClient.upgrade(ws, o -> o.addHeader("Authorization", "Bearer " + forged)),
                "signature");
    }
}
