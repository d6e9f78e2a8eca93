package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;

/**
 * The README's configuration table and the code agree: every key of every {@code @ConfigMapping}
 * is documented, every documented switchboard key exists, and each row names the right
 * environment variable.
 */
class ConfigDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9\\-]+\\.[a-z0-9.\\-\\[\\]]+)` \\|[^|]*\\| `([A-Za-z0-9_]+)` \\|");

    /** key -> environment variable, from the README table. */
    static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        return rows;
    }

    static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @Test
    void everyMappedKeyIsDocumentedAndEveryDocumentedKeyIsMapped() throws Exception {
        Set<String> mapped = new TreeSet<>();
        try (Stream<Path> classes = Files.walk(Path.of("target", "classes"))) {
            for (Path file : classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = Path.of("target", "classes").relativize(file).toString()
                        .replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (mapping != null) {
                    collect(type, mapping.prefix(), mapped);
                }
            }
        }
        Map<String, String> documented = documented();
        Set<String> documentedSwitchboard = new TreeSet<>(documented.keySet());
        documentedSwitchboard.removeIf(k -> !k.startsWith("switchboard."));
        assertEquals(mapped, documentedSwitchboard);
        documented.forEach((key, env) -> assertEquals(envName(key), env.toUpperCase(Locale.ROOT), key));
    }

    private static void collect(Class<?> type, String prefix, Set<String> keys) {
        for (Method method : type.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String key = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Type returned = method.getGenericReturnType();
            if (returned instanceof ParameterizedType list && list.getRawType() == java.util.List.class
                    && list.getActualTypeArguments()[0] instanceof Class<?> element && element.isInterface()) {
                collect(element, key + "[i]", keys);
            } else if (method.getReturnType().isInterface() && method.getReturnType().getEnclosingClass() != null
                    && method.getReturnType().getName().startsWith("io.switchboard")) {
                collect(method.getReturnType(), key, keys);
            } else {
                keys.add(key);
            }
        }
    }
}
