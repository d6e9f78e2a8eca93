package io.switchboard.rooms;

import java.util.Arrays;

/**
 * Copy-on-write arrays compared by identity, for member lists that are read on every delivery and
 * changed only on join, leave, connect and close: readers walk a plain snapshot with no lock.
 */
public final class CopyOnWrite {
    private CopyOnWrite() {
    }

    /** {@code items} with {@code item} appended, or {@code items} itself when it is already there. */
    public static <T> T[] with(T[] items, T item) {
        if (indexOf(items, item) >= 0) {
            return items;
        }
        T[] grown = Arrays.copyOf(items, items.length + 1);
        grown[items.length] = item;
        return grown;
    }

    /**
     * {@code items} without {@code item}: {@code items} itself when it is not there, null when
     * nothing would be left (so a map entry holding the array can go).
     */
    public static <T> T[] without(T[] items, T item) {
        int at = indexOf(items, item);
        if (at < 0) {
            return items;
        }
        if (items.length == 1) {
            return null;
        }
        T[] shrunk = Arrays.copyOf(items, items.length - 1);
        System.arraycopy(items, at + 1, shrunk, at, items.length - at - 1);
        return shrunk;
    }

    private static int indexOf(Object[] items, Object item) {
        for (int i = 0; i < items.length; i++) {
            if (items[i] == item) {
                return i;
            }
        }
        return -1;
    }
}
