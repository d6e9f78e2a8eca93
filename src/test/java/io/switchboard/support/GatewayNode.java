package io.switchboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A gateway node as a separate process: the packaged application (the native executable when the
 * build made one, else the runner jar), started with its own port and configuration, as it runs in
 * production. Multi-node tests start several and a Redis.
 */
public final class GatewayNode implements AutoCloseable {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String name;
    private final int port;
    private final Map<String, String> config;
    private final Map<String, String> env = new LinkedHashMap<>();
    private List<String> jvmOptions = List.of("-Xmx256m");
    private final Path log;
    private Process process;

    private GatewayNode(String name, Map<String, String> config) {
        this.name = name;
        this.port = RedisServer.freePort();
        this.config = config;
        try {
            this.log = Files.createTempFile("gateway-" + name + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Configuration every test node shares: the test keys, issuer, audience and room rules. */
    public static Map<String, String> baseConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.putAll(TestKeys.verification(TestKeys.files().resolve("jwks.json").toString()));
        config.put("switchboard.rooms.rules[0].pattern", "chat:*");
        config.put("switchboard.rooms.rules[0].join", "user");
        config.put("switchboard.rooms.rules[0].publish", "user");
        config.put("switchboard.rooms.rules[1].pattern", "open:*");
        config.put("switchboard.rooms.rules[1].join", "user");
        config.put("switchboard.rooms.rules[1].publish", "user");
        config.put("switchboard.rooms.rules[1].publish-requires-membership", "false");
        config.put("switchboard.limits.connections-per-user", "50");
        // tests flood on purpose; the rate limits have their own tests
        config.put("switchboard.limits.frames-per-second", "100000");
        config.put("switchboard.limits.frame-burst", "100000");
        // test clients share two cores with the nodes and may fall behind a flood; slow consumers have their own test
        config.put("switchboard.limits.outbound-queue-frames", "1000000");
        config.put("switchboard.limits.outbound-queue-bytes", "268435456");
        return config;
    }

    public static GatewayNode start(String name, Map<String, String> extra) {
        Map<String, String> config = baseConfig();
        config.put("switchboard.node.name", name);
        config.putAll(extra);
        GatewayNode node = new GatewayNode(name, config);
        node.startProcess();
        return node;
    }

    /** A node started with its own JVM options (memory bounds) instead of {@code -Xmx256m}. */
    public static GatewayNode start(String name, Map<String, String> extra, List<String> jvmOptions) {
        Map<String, String> config = baseConfig();
        config.put("switchboard.node.name", name);
        config.putAll(extra);
        GatewayNode node = new GatewayNode(name, config);
        node.jvmOptions = List.copyOf(jvmOptions);
        node.startProcess();
        return node;
    }

    /**
     * A node configured only by environment variables, as Kubernetes configures a pod: the
     * variables, plus {@code QUARKUS_HTTP_PORT} set to a free port.
     */
    public static GatewayNode startWithEnvironment(String name, Map<String, String> environment) {
        GatewayNode node = new GatewayNode(name, Map.of());
        node.env.putAll(environment);
        node.env.put("QUARKUS_HTTP_PORT", String.valueOf(node.port));
        node.startProcess();
        return node;
    }

    public int port() {
        return port;
    }

    public void startProcess() {
        // The native executable when the build made one (failsafe passes its path), else the jar.
        String nativeImage = nativeImage();
        boolean isNative = nativeImage != null;
        List<String> command = new ArrayList<>(List.of(isNative ? nativeImage
                : Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.host=127.0.0.1");
        if (env.isEmpty()) {
            command.add("-Dquarkus.http.port=" + port);
        }
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!isNative) {
            command.add("-jar");
            command.add(JAR.toAbsolutePath().toString());
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Awaitility.await("node " + name + " ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("node " + name + " exited:\n" + logTail());
                    }
                    return status("/q/health/ready") == 200;
                });
    }

    /** Whether this node runs the native executable (no JVM tools such as jcmd then). */
    public boolean isNative() {
        return nativeImage() != null;
    }

    /**
     * The native executable, when there is one. With {@code -Dnative.image.required=true} (the native
     * stage, .ci/native) a missing executable is an error instead of a silent fall-back to the jar.
     */
    private static String nativeImage() {
        String path = System.getProperty("native.image.path");
        if (path != null && Files.isExecutable(Path.of(path))) {
            return path;
        }
        if (Boolean.getBoolean("native.image.required")) {
            throw new IllegalStateException("native.image.required is set but native.image.path (" + path
                    + ") is not an executable");
        }
        return null;
    }

    public String name() {
        return name;
    }

    public Process process() {
        return process;
    }

    public URI ws() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The status of a GET, or -1 when the node does not answer. */
    public int status(String path) {
        HttpResponse<String> response = get(path);
        return response == null ? -1 : response.statusCode();
    }

    /** A GET, or null when the node does not answer. */
    public HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** POSTs a JSON body with a bearer token; returns status and body. */
    public HttpResponse<String> post(String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every line the process has written so far, stdout and stderr. */
    public List<String> logLines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
