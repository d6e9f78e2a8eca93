package io.switchboard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.Yaml;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does for the subset deploy/ uses:
 * {@code resources} (files and directories), strategic-merge {@code patches} (maps merge, lists of
 * named items merge by name, other lists are replaced) and {@code images}. Enough to check the
 * manifests without a cluster or kubectl.
 */
public final class Kustomize {
    private Kustomize() {
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> render(Path dir) {
        Map<String, Object> kustomization = load(dir.resolve("kustomization.yaml"));
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String resource : (List<String>) kustomization.getOrDefault("resources", List.of())) {
            Path path = dir.resolve(resource).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(render(path));
            } else {
                objects.add(load(path));
            }
        }
        for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.getOrDefault("patches", List.of())) {
            Map<String, Object> partial = load(dir.resolve((String) patch.get("path")));
            Map<String, Object> target = find(objects, (String) partial.get("kind"), name(partial));
            merge(target, partial);
        }
        for (Map<String, Object> image : (List<Map<String, Object>>) kustomization.getOrDefault("images", List.of())) {
            for (Map<String, Object> object : objects) {
                retag(object, (String) image.get("name"), (String) image.get("newName"), (String) image.get("newTag"));
            }
        }
        return objects;
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

    private static Map<String, Object> load(Path file) {
        try {
            Map<String, Object> loaded = new Yaml().load(Files.readString(file));
            return loaded == null ? new LinkedHashMap<>() : loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object existing = target.get(key);
            if (existing instanceof Map<?, ?> && value instanceof Map<?, ?>) {
                merge((Map<String, Object>) existing, (Map<String, Object>) value);
            } else if (existing instanceof List<?> list && value instanceof List<?> patchList && isNamedList(patchList)) {
                for (Object item : patchList) {
                    Map<String, Object> patchItem = (Map<String, Object>) item;
                    Map<String, Object> match = (Map<String, Object>) list.stream()
                            .filter(i -> i instanceof Map<?, ?> m && patchItem.get("name").equals(m.get("name")))
                            .findFirst().orElse(null);
                    if (match == null) {
                        ((List<Object>) list).add(patchItem);
                    } else {
                        merge(match, patchItem);
                    }
                }
            } else {
                target.put(key, value);
            }
        });
    }

    private static boolean isNamedList(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.containsKey("name"));
    }

    @SuppressWarnings("unchecked")
    private static void retag(Object node, String name, String newName, String newTag) {
        if (node instanceof Map<?, ?> map) {
            Object image = map.get("image");
            if (image instanceof String ref && (ref.equals(name) || ref.startsWith(name + ":"))) {
                ((Map<String, Object>) map).put("image", (newName == null ? name : newName) + ":"
                        + (newTag == null ? ref.substring(ref.indexOf(':') + 1) : newTag));
            }
            map.values().forEach(v -> retag(v, name, newName, newTag));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> retag(v, name, newName, newTag));
        }
    }
}
