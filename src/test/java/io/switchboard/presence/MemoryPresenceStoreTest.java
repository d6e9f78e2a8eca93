package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The single-node store: counts, order, the listing bound and the grace, on a clock the test moves. */
class MemoryPresenceStoreTest {
    private long now = 1_000;
    private final MemoryPresenceStore store = new MemoryPresenceStore(5_000, () -> now);

    private PresenceStore.Changes set(String user, int connections) {
        return store.set("r", user, connections, false).result();
    }

    @Test
    void firstConnectionJoinsLastStartsTheGraceAndTheGraceEndPartsOnce() {
        assertEquals(List.of("a"), set("a", 1).joined());
        assertEquals(List.of(), set("a", 2).joined());
        PresenceStore.Changes gone = set("a", 0);
        assertEquals(List.of(), gone.parted());
        assertEquals(5_000, gone.nextDueMillis());
        PresenceStore.Snapshot during = store.query("r", 10).result();
        assertEquals(1, during.count());
        assertArrayEquals(new long[] { 0 }, during.connections());
        now += 4_999;
        assertEquals(List.of(), store.refresh("r", false).result().parted());
        now += 1;
        assertEquals(List.of("a"), store.refresh("r", false).result().parted());
        assertEquals(List.of(), store.refresh("r", false).result().parted());
        assertEquals(0, store.query("r", 10).result().count());
    }

    @Test
    void backWithinTheGraceIsNoEvent() {
        set("a", 1);
        set("a", 0);
        now += 4_000;
        PresenceStore.Changes back = set("a", 1);
        assertEquals(List.of(), back.joined());
        assertEquals(-1, back.nextDueMillis());
        now += 10_000;
        assertEquals(List.of(), store.refresh("r", false).result().parted());
        assertEquals(1, store.query("r", 10).result().count());
    }

    @Test
    void listsTheFirstThousandInUtf8ByteOrderAndCountsAll() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            users.add("u" + i);
        }
        users.add("\uFFFD");
        users.add("\uD83D\uDE00"); // above U+FFFF: after U+FFFD in UTF-8, before it in UTF-16
        users.forEach(u -> set(u, 1));
        PresenceStore.Snapshot snapshot = store.query("r", 1_000).result();
        assertEquals(users.size(), snapshot.count());
        assertEquals(1_000, snapshot.users().size());
        byte[][] sorted = users.stream().map(u -> u.getBytes(StandardCharsets.UTF_8)).sorted(Arrays::compareUnsigned)
                .toArray(byte[][]::new);
        for (int i = 0; i < 1_000; i++) {
            assertArrayEquals(sorted[i], snapshot.users().get(i).getBytes(StandardCharsets.UTF_8), "at " + i);
        }
        assertTrue(MemoryPresenceStore.UTF8_ORDER.compare("\uFFFD", "\uD83D\uDE00") < 0);
    }

    @Test
    void resyncReplacesTheNodesState() {
        set("a", 1);
        set("b", 2);
        PresenceStore.Changes changes = store.resync("r", Map.of("b", 1, "c", 1)).result();
        assertEquals(List.of("c"), changes.joined());
        PresenceStore.Snapshot snapshot = store.query("r", 10).result();
        assertEquals(List.of("a", "b", "c"), snapshot.users());
        assertArrayEquals(new long[] { 0, 1, 1 }, snapshot.connections());
    }
}
