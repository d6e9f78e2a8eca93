package io.switchboard.rooms;

/** What a room rule says about presence (PROTOCOL section 9). */
public enum PresenceMode {
    /** No presence: the {@code presence} op is {@code bad_request}. */
    OFF,
    /** Presence is kept and can be asked for; no events. */
    ON,
    /** Presence is kept, and members receive {@code joined} and {@code parted}. */
    EVENTS;

    static PresenceMode of(boolean presence, boolean events) {
        return events ? EVENTS : presence ? ON : OFF;
    }
}
