package io.switchboard.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the gateway under test at the public keys of {@link TestKeys}, with issuer and audience. */
public class AuthTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestKeys.verification(TestKeys.files().resolve("jwks.json").toString());
    }

    @Override
    public void stop() {
        // the key files are temporary and tiny
    }
}
