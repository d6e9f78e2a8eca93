package io.switchboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.yaml.snakeyaml.Yaml;

/**
 * Kubernetes manifests as {@code kubectl apply -k} would apply them: rendered by the real
 * {@code kubectl kustomize} (kubectl must be on the PATH; .ci/verify installs it when missing),
 * parsed into plain maps and lists.
 */
public final class Manifests {
    private Manifests() {
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> render(Path kustomization) {
        String yaml = kubectl("kustomize", kustomization.toString());
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document != null) {
                objects.add((Map<String, Object>) document);
            }
        }
        return objects;
    }

    private static String kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("kubectl is not on the PATH (.ci/verify installs it)", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroyForcibly();
        }
    }

    @SuppressWarnings("unchecked")
    public static String name(Map<String, Object> object) {
        return (String) ((Map<String, Object>) object.get("metadata")).get("name");
    }

    public static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** Follows a path of map keys, list indexes, or {@code name=value} list selectors. */
    @SuppressWarnings("unchecked")
    public static <T> T at(Object root, String... path) {
        Object node = root;
        for (String step : path) {
            if (node instanceof Map<?, ?> map) {
                node = map.get(step);
            } else if (node instanceof List<?> list && step.contains("=")) {
                String[] kv = step.split("=", 2);
                node = list.stream().filter(i -> i instanceof Map<?, ?> m && kv[1].equals(String.valueOf(m.get(kv[0]))))
                        .findFirst().orElse(null);
            } else if (node instanceof List<?> list) {
                node = list.get(Integer.parseInt(step));
            } else {
                return null;
            }
        }
        return (T) node;
    }
}
