package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.switchboard.support.GatewayNode;
import io.switchboard.support.Manifests;
import io.switchboard.support.RedisServer;
import io.switchboard.support.TestKeys;
import io.switchboard.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Grafana dashboard (deploy/grafana) and the alert rules (deploy/k8s/components/alerts) query
 * only metrics a real node exports: a packaged node on a real Redis gets real traffic, and every
 * metric name in every expression must be in its {@code /q/metrics}; and every expression parses.
 */
class MonitoringIT {
    private static final Path K8S = Path.of("deploy", "k8s");
    private static final Path DASHBOARD = Path.of("deploy", "grafana", "switchboard.json");
    /** Series of kube-state-metrics, which SwitchboardPodNotReady reads (deploy/k8s/README.md says so). */
    private static final Set<String> KUBE_STATE_METRICS = Set.of("kube_pod_status_ready",
            "kube_deployment_status_replicas_updated", "kube_deployment_spec_replicas");
    private static final List<String> ALERTS = List.of("SwitchboardBusDisconnected", "SwitchboardCanaryMissed",
            "SwitchboardHoldBackFilling", "SwitchboardUpgradesRefused", "SwitchboardSlowConsumers",
            "SwitchboardEventLoopLag", "SwitchboardPodNotReady");

    private static RedisServer redis;
    private static GatewayNode node;
    private static Set<String> exported;

    @BeforeAll
    static void aNodeWithTraffic() {
        redis = RedisServer.start();
        node = GatewayNode.start("monitoring", Map.of("switchboard.cluster.redis-url", redis.url()));
        String sub = TestKeys.uniqueUser("monitoring");
        try (WsClient a = WsClient.connect(node.ws(), TestKeys.token(sub, 60, "user"));
                WsClient b = WsClient.connect(node.ws(), TestKeys.token(TestKeys.uniqueUser("monitoring"), 60, "user"))) {
            assertEquals("ok", a.join("chat:monitoring").getString("status"));
            assertEquals("ok", b.join("chat:monitoring").getString("status"));
            assertEquals("ok", a.publish("chat:monitoring", 1).getString("status"));
            b.awaitOp("message");
            a.send("garbage");
            assertEquals("bad_request", a.awaitOp("reply").getString("code"));
        }
        assertEquals(401, WsClient.upgrade(node.ws(), o -> o.addHeader("Authorization", "Bearer nope")).status());
        assertEquals(200, node.status("/q/health/live"));
        exported = new TreeSet<>();
        for (String line : node.get("/q/metrics").body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void theExtractorFindsEveryMetricAndNothingElse() {
        assertEquals(Set.of("a_bucket", "b_total", "c"), metricNames("histogram_quantile(0.99, sum by (le, path) "
                + "(rate(a_bucket{namespace=~\"$namespace\",x=\"y z\"}[$__rate_interval]))) > 0.1 * "
                + "sum without (pod) (increase(b_total[5m] offset 1m)) and on (namespace) c != bool 2 unless ignoring(x) "
                + "label_values(c, namespace)"));
    }

    /** Every panel's queries, then the template variables' queries (label_values, not PromQL). */
    private static List<String> dashboardQueries(boolean withVariables) throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) p).getJsonArray("targets");
            assertTrue(targets != null && !targets.isEmpty(), "panel without a query: " + p);
            targets.forEach(t -> expressions.add(((JsonObject) t).getString("expr")));
        }
        for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if (withVariables && "query".equals(variable.getString("type"))) {
                expressions.add(variable.getJsonObject("query").getString("query"));
            }
        }
        return expressions;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alertRules() {
        Map<String, Object> rule = Manifests.find(Manifests.render(K8S.resolve("overlays/prod")), "PrometheusRule", "switchboard");
        assertEquals("monitoring.coreos.com/v1", rule.get("apiVersion"));
        return Manifests.at(rule, "spec", "groups", "0", "rules");
    }

    @Test
    void everyDashboardExpressionNamesAnExportedMetric() throws Exception {
        Set<String> used = new TreeSet<>();
        dashboardQueries(true).forEach(e -> used.addAll(metricNames(e)));
        assertTrue(used.containsAll(Set.of("switchboard_connections_open", "switchboard_delivery_latency_seconds_bucket",
                "switchboard_bus_canary_missed_total", "jvm_memory_used_bytes")), used.toString());
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "dashboard metrics the node does not export; it exports " + exported);
    }

    @Test
    void onlyTheProdOverlayRendersTheAlertRulesAndTheyNameExportedMetrics() throws Exception {
        for (String overlay : List.of("overlays/dev", "overlays/jvm")) {
            assertTrue(Manifests.render(K8S.resolve(overlay)).stream().noneMatch(o -> "PrometheusRule".equals(o.get("kind"))),
                    overlay + " renders alert rules");
        }
        List<Map<String, Object>> rules = alertRules();
        assertEquals(ALERTS, rules.stream().map(r -> (String) r.get("alert")).toList());

        String runbooks = Files.readString(K8S.resolve("README.md"));
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> r : rules) {
            String alert = (String) r.get("alert");
            used.addAll(metricNames((String) r.get("expr")));
            assertTrue(runbooks.contains("\n#### " + alert + "\n"), "no runbook entry for " + alert);
            assertEquals("deploy/k8s/README.md#" + alert.toLowerCase(Locale.ROOT),
                    Manifests.at(r, "annotations", "runbook"), alert);
        }
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        missing.removeAll(KUBE_STATE_METRICS);
        assertEquals(Set.of(), missing, "alert metrics the node does not export; it exports " + exported);
        assertTrue(used.containsAll(KUBE_STATE_METRICS) && used.contains("switchboard_event_loop_lag_seconds"), used.toString());
    }

    /**
     * Prometheus' own parser: the alert rules as they are, and the dashboard's queries (Grafana's
     * variables replaced by what Grafana sends) as recording rules, through {@code promtool check rules}.
     */
    @Test
    void everyExpressionParsesAsPromQL() throws Exception {
        List<Map<String, Object>> recordings = new ArrayList<>();
        for (String query : dashboardQueries(false)) {
            recordings.add(Map.of("record", "dashboard:query" + recordings.size(),
                    "expr", query.replace("$__rate_interval", "1m").replace("$namespace", ".*")));
        }
        Path file = Files.createTempFile("switchboard-rules", ".yml");
        try {
            Files.writeString(file, new Yaml().dump(Map.of("groups", List.of(
                    Map.of("name", "switchboard", "rules", alertRules()),
                    Map.of("name", "dashboard", "rules", recordings)))));
            Process promtool = new ProcessBuilder("promtool", "check", "rules", file.toString()).redirectErrorStream(true).start();
            String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
            assertEquals(0, promtool.exitValue(), output);
            assertTrue(output.contains((ALERTS.size() + recordings.size()) + " rules found"), output);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}|\\[[^]]*]");
    private static final Pattern GROUPINGS = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    /** The metric names a PromQL expression (or a Grafana label_values query) selects. */
    static Set<String> metricNames(String expression) {
        String bare = STRINGS.matcher(expression).replaceAll("\"\"");
        bare = MATCHERS.matcher(bare).replaceAll(" ");
        bare = GROUPINGS.matcher(bare).replaceAll(" ");
        bare = bare.replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            boolean function = m.group(2) != null;
            String word = m.group(1);
            if (!function && !KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                names.add(word);
            }
        }
        // label_values(metric, label): the second argument is a label
        Matcher labelValues = Pattern.compile("label_values\\(\\s*[\\w:]+\\s*,\\s*(\\w+)\\s*\\)").matcher(expression);
        while (labelValues.find()) {
            names.remove(labelValues.group(1));
        }
        return names;
    }
}
