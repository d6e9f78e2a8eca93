package io.switchboard.protocol;

/** WebSocket close codes of PROTOCOL section 5, and the RFC 6455 codes a client may end with. */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    /** Reported for a Close frame without a status code; never sent on the wire (RFC 6455 section 7.4.1). */
    public static final int NO_STATUS = 1005;
    /** The socket ended without a close frame (RFC 6455 section 7.1.5): a dropped client. */
    public static final int ABNORMAL = 1006;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL = 1011;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int PROTOCOL_ABUSE = 4400;
    public static final int TOKEN_EXPIRED = 4401;
    public static final int REVOKED = 4403;
    public static final int RATE_ABUSE = 4429;

    private CloseCodes() {
    }

    /** Whether the code is one of the above; any other code a client sends is its own choice. */
    public static boolean known(int code) {
        return switch (code) {
            case NORMAL, GOING_AWAY, NO_STATUS, ABNORMAL, TOO_BIG, INTERNAL, TRY_AGAIN_LATER, PROTOCOL_ABUSE, TOKEN_EXPIRED,
                    REVOKED, RATE_ABUSE -> true;
            default -> false;
        };
    }
}
