package io.switchboard.support;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads the Prometheus text format: one value per series, labels in a canonical order. */
public final class Prometheus {
    private final Map<String, Double> series;

    private Prometheus(Map<String, Double> series) {
        this.series = series;
    }

    public static Prometheus parse(String text) {
        Map<String, Double> series = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String key = line.substring(0, space);
            String name = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
            Map<String, String> labels = new TreeMap<>();
            if (key.contains("{")) {
                for (String pair : key.substring(key.indexOf('{') + 1, key.lastIndexOf('}')).split(",")) {
                    if (!pair.isBlank()) {
                        int eq = pair.indexOf('=');
                        labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            series.put(name + labels, Double.parseDouble(line.substring(space + 1)));
        }
        return new Prometheus(series);
    }

    /** The value of a series (0 when absent); labels as alternating names and values. */
    public double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return series.entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + "{") || e.getKey().equals(name + "{}"))
                .filter(e -> {
                    String key = e.getKey();
                    if (!key.substring(0, key.indexOf('{')).equals(name)) {
                        return false;
                    }
                    return wanted.entrySet().stream().allMatch(w -> key.contains(w.getKey() + "=" + w.getValue()));
                })
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
