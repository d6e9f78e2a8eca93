package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.Manifests;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonObject;

/**
 * Keeps deploy/ honest: rendered by {@code kubectl kustomize}, so exactly what {@code kubectl apply -k}
 * applies, every overlay's probes, ports, environment and shutdown timing must match what the
 * application really serves and reads.
 */
class DeployManifestsIT {
    private static final Path K8S = Path.of("deploy", "k8s");

    private static List<Map<String, Object>> render(String overlay) {
        return Manifests.render(K8S.resolve(overlay));
    }

    private static Map<String, Object> container(List<Map<String, Object>> objects) {
        return Manifests.at(Manifests.find(objects, "Deployment", "switchboard"),
                "spec", "template", "spec", "containers", "name=switchboard");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> configMap(List<Map<String, Object>> objects) {
        Map<String, String> data = new HashMap<>();
        ((Map<String, Object>) Manifests.at(Manifests.find(objects, "ConfigMap", "switchboard-config"), "data"))
                .forEach((k, v) -> data.put(k, String.valueOf(v)));
        return data;
    }

    private static long seconds(String duration) {
        return Duration.parse("PT" + duration.toUpperCase(Locale.ROOT)).toSeconds();
    }

    @ParameterizedTest
    @ValueSource(strings = { "overlays/dev", "overlays/prod", "overlays/jvm" })
    void probesPortsAndShutdownTimingAgree(String overlay) {
        List<Map<String, Object>> objects = render(overlay);
        Map<String, Object> container = container(objects);
        Map<String, String> config = configMap(objects);
        int port = Integer.parseInt(config.get("QUARKUS_HTTP_PORT"));
        assertEquals(port, (int) Manifests.<Integer> at(container, "ports", "name=http", "containerPort"));
        assertEquals("/q/health/started", Manifests.at(container, "startupProbe", "httpGet", "path"));
        assertEquals("/q/health/live", Manifests.at(container, "livenessProbe", "httpGet", "path"));
        assertEquals("/q/health/ready", Manifests.at(container, "readinessProbe", "httpGet", "path"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals(port, (int) Manifests.<Integer> at(container, probe, "httpGet", "port"), probe);
        }
        assertEquals("http", Manifests.at(Manifests.find(objects, "Service", "switchboard"), "spec", "ports", "0", "targetPort"));

        int grace = Manifests.at(Manifests.find(objects, "Deployment", "switchboard"), "spec", "template", "spec",
                "terminationGracePeriodSeconds");
        List<String> preStop = Manifests.at(container, "lifecycle", "preStop", "exec", "command");
        assertEquals("sleep", preStop.get(0));
        long drain = seconds(config.get("SWITCHBOARD_DRAIN_TIMEOUT"));
        assertTrue(grace > Long.parseLong(preStop.get(1)) + drain,
                "grace " + grace + " s must exceed preStop " + preStop.get(1) + " s + drain " + drain + " s");
        assertTrue(seconds(config.get("SWITCHBOARD_DRAIN_CLOSE_WINDOW")) <= drain);

        assertEquals(Boolean.TRUE, Manifests.at(container, "securityContext", "readOnlyRootFilesystem"));
        assertEquals(Boolean.FALSE, Manifests.at(container, "securityContext", "allowPrivilegeEscalation"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "overlays/dev", "overlays/prod", "overlays/jvm" })
    void everyEnvironmentVariableIsADocumentedConfigurationKey(String overlay) throws Exception {
        List<Map<String, Object>> objects = render(overlay);
        Set<String> documented = new HashSet<>();
        ConfigDocTest.documented().values().forEach(env -> documented.add(env.toUpperCase(Locale.ROOT)));
        List<String> used = new ArrayList<>(configMap(objects).keySet());
        List<Map<String, Object>> env = Manifests.at(container(objects), "env");
        env.forEach(e -> used.add((String) e.get("name")));
        for (String name : used) {
            String generic = name.replaceAll("_\\d+__", "_I__");
            assertTrue(documented.contains(generic), name + " is not a documented configuration key");
        }
    }

    @Test
    void aNodeConfiguredOnlyByTheDevOverlayServesEveryProbeAndReadsEveryVariable() {
        List<Map<String, Object>> objects = render("overlays/dev");
        Map<String, String> env = configMap(objects);
        Map<String, Object> container = container(objects);
        try (RedisServer redis = RedisServer.start()) {
            env.put("SWITCHBOARD_CLUSTER_REDIS_URL", redis.url());
            env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestKeys.files().resolve("jwks.json").toString());
            env.put("SWITCHBOARD_NODE_NAME", "pod-abc");
            try (GatewayNode node = GatewayNode.startWithEnvironment("k8s", env)) {
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    assertEquals(200, node.status(Manifests.at(container, probe, "httpGet", "path")), probe);
                }
                String metrics = Manifests.at(Manifests.find(objects, "Deployment", "switchboard"), "spec", "template",
                        "metadata", "annotations", "prometheus.io/path");
                assertEquals(200, node.status(metrics));

                String sub = TestKeys.uniqueUser("k8s");
                JwtClaims claims = TestKeys.claims(sub, 60, "user");
                claims.setIssuer(env.get("MP_JWT_VERIFY_ISSUER"));
                claims.setAudience(env.get("MP_JWT_VERIFY_AUDIENCES"));
                WsClient.Upgrade upgrade = WsClient.upgrade(node.ws(), o -> o.addHeader("Authorization", "Bearer " + TestKeys.rs256(claims)));
                assertEquals(101, upgrade.status(), upgrade.body());
                try (WsClient client = upgrade.client()) {
                    JsonObject welcome = client.next();
                    assertEquals("pod-abc", welcome.getString("node"));
                    assertEquals("ok", client.join("chat:k8s").getString("status"));
                    assertEquals("ok", client.join("user:" + sub).getString("status"));
                    assertEquals("forbidden", client.join("user:someone-else").getString("code"));
                }
                JsonObject ready = new JsonObject(node.get("/q/health/ready").body());
                assertEquals("redis", Manifests.at(ready.getMap(), "checks", "name=switchboard", "data", "bus"),
                        "the Redis URL from the ConfigMap is used: " + ready);
            }
        }
    }
}
