package io.switchboard.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the gateway under test at the public keys of {@link TestKeys}, with issuer and audience. */
public class AuthTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "switchboard.auth.jwks-location", TestKeys.files().resolve("jwks.json").toString(),
                "switchboard.auth.issuer", TestKeys.ISSUER,
                "switchboard.auth.audience", TestKeys.AUDIENCE);
    }

    @Override
    public void stop() {
        // the key files are temporary and tiny
    }
}
