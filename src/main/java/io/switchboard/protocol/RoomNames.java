package io.switchboard.protocol;

/** Room name syntax of PROTOCOL section 3: 1 to 128 characters of {@code A-Z a-z 0-9 : _ - . @}. */
public final class RoomNames {
    public static final int MAX_LENGTH = 128;

    private RoomNames() {
    }

    public static boolean isValid(String room) {
        if (room == null || room.isEmpty() || room.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < room.length(); i++) {
            if (!isRoomChar(room.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public static boolean isRoomChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == ':' || c == '_' || c == '-' || c == '.' || c == '@';
    }
}
