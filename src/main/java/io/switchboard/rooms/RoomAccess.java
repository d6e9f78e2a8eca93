package io.switchboard.rooms;

/**
 * What one token may do in one room.
 *
 * @param matched whether any rule matched the room name
 */
public record RoomAccess(boolean matched, boolean join, boolean publish, boolean publishRequiresMembership) {
    public static final RoomAccess NONE = new RoomAccess(false, false, false, true);
}
