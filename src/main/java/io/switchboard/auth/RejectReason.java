package io.switchboard.auth;

import java.util.Locale;

/** Why a token was refused: the {@code reason} of a 401 (PROTOCOL section 1). */
public enum RejectReason {
    MISSING,
    MALFORMED,
    SIGNATURE,
    EXPIRED,
    NOT_YET_VALID,
    ISSUER,
    AUDIENCE,
    ALGORITHM;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** The reason of a failed verification ({@link TokenVerifier#verify} fails with a {@link TokenRejectedException}). */
    public static RejectReason of(Throwable failure) {
        return failure instanceof TokenRejectedException rejected ? rejected.reason() : MALFORMED;
    }
}
