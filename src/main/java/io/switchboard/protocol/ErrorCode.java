package io.switchboard.protocol;

import java.util.Locale;

/** The {@code code} of an error {@code reply} (PROTOCOL section 3). */
public enum ErrorCode {
    BAD_REQUEST,
    FORBIDDEN,
    NOT_JOINED,
    RATE_LIMITED,
    TOO_LARGE,
    TOKEN_EXPIRED,
    UNAVAILABLE,
    INTERNAL;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }
}
