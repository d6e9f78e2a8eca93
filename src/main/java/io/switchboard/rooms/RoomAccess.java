package io.switchboard.rooms;

/**
 * What one token may do in one room. There are only sixteen of these, shared ({@link #of}): a
 * connection keeps one per joined room, so a copy each would cost memory on every membership.
 *
 * @param matched whether any rule matched the room name
 */
public record RoomAccess(boolean matched, boolean join, boolean publish, boolean publishRequiresMembership) {
    private static final RoomAccess[] ALL = new RoomAccess[16];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new RoomAccess((i & 8) != 0, (i & 4) != 0, (i & 2) != 0, (i & 1) != 0);
        }
    }

    public static final RoomAccess NONE = of(false, false, false, true);

    public static RoomAccess of(boolean matched, boolean join, boolean publish, boolean publishRequiresMembership) {
        return ALL[(matched ? 8 : 0) | (join ? 4 : 0) | (publish ? 2 : 0) | (publishRequiresMembership ? 1 : 0)];
    }
}
