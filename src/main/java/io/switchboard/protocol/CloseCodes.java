package io.switchboard.protocol;

/** WebSocket close codes of PROTOCOL section 5. */
public final class CloseCodes {
    public static final int GOING_AWAY = 1001;
    public static final int TOO_BIG = 1009;
    public static final int INTERNAL = 1011;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int PROTOCOL_ABUSE = 4400;
    public static final int TOKEN_EXPIRED = 4401;
    public static final int REVOKED = 4403;
    public static final int RATE_ABUSE = 4429;

    private CloseCodes() {
    }
}
