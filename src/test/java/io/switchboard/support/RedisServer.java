package io.switchboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * A real {@code redis-server} process on a free loopback port, which tests can kill (SIGKILL) and
 * start again on the same port. {@link #cli} runs {@code redis-cli} against it.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, List<String> extraArgs) {
        this.port = port;
        this.extraArgs = extraArgs;
        try {
            this.dir = Files.createTempDirectory("redis-" + port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Extra arguments for special servers. */
    public record Spec(String[] args) {
        /** A Redis Cluster node; {@code redis-cli --cluster create} joins such nodes into a cluster. */
        public static Spec cluster() {
            return new Spec(new String[] { "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "5000" });
        }
    }

    public static RedisServer start(String... extraArgs) {
        RedisServer server = new RedisServer(freePort(), List.of(extraArgs));
        server.startProcess();
        return server;
    }

    /**
     * A real Redis Cluster of {@code masters} masters (no replicas), every slot covered and the
     * cluster state ok; the caller closes the servers. Every node also gets {@code extraArgs}
     * (persistence, say). A node killed and started again ({@link #kill}, {@link #startProcess})
     * keeps its port, its directory and so its {@code nodes.conf}: it comes back as the same node,
     * owning the same slots.
     */
    public static List<RedisServer> cluster(int masters, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(Spec.cluster().args()));
        args.addAll(List.of(extraArgs));
        List<RedisServer> servers = new ArrayList<>();
        for (int i = 0; i < masters; i++) {
            servers.add(start(args.toArray(String[]::new)));
        }
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        servers.forEach(m -> create.add("127.0.0.1:" + m.port()));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String out = servers.get(0).cli(create.toArray(String[]::new));
        if (!out.contains("All 16384 slots covered")) {
            servers.forEach(RedisServer::close);
            throw new IllegalStateException("cluster create failed: " + out);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> servers.stream().allMatch(m -> m.cli("CLUSTER", "INFO").contains("cluster_state:ok")));
        return servers;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void startProcess() {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("is redis-server installed?", e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "PONG".equals(cli("PING").trim()));
    }

    /** SIGKILL: no goodbye to clients, as when a Redis pod dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        command.addAll(Arrays.asList(args));
        try {
            Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            cli.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Lines of a redis-cli answer, e.g. the channels of {@code PUBSUB CHANNELS}. */
    public List<String> cliLines(String... args) {
        return cli(args).lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    @Override
    public void close() {
        if (process != null) {
            kill();
        }
    }
}
