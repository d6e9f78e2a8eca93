package io.switchboard.rooms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class CopyOnWriteTest {
    private final String a = new String("m");
    private final String b = new String("m");
    private final String c = new String("c");

    @Test
    void addsByIdentityAndNeverTouchesTheSnapshot() {
        String[] one = { a };
        String[] two = CopyOnWrite.with(one, b);
        assertArrayEquals(new String[] { a }, one, "the old snapshot is unchanged");
        assertSame(b, two[1], "an equal but distinct member is another member");
        assertSame(two, CopyOnWrite.with(two, a), "already there: the same array back");
    }

    @Test
    void removesByIdentityKeepingOrderAndEmptiesToNull() {
        String[] three = { a, b, c };
        String[] two = CopyOnWrite.without(three, b);
        assertSame(a, two[0]);
        assertSame(c, two[1]);
        assertArrayEquals(new String[] { a, b, c }, three, "the old snapshot is unchanged");
        assertSame(two, CopyOnWrite.without(two, new String("m")), "absent: the same array back");
        assertNull(CopyOnWrite.without(new String[] { c }, c));
    }
}
