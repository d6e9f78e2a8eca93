package io.switchboard.protocol;

/**
 * A close the gateway sends: its code and its reason together (PROTOCOL section 5), one constant per
 * cause, so a cause reads the same on the wire wherever a connection is closed from.
 */
public record Disconnect(int code, String reason) {
    /** The token's {@code exp} (plus the allowed skew) has passed. */
    public static final Disconnect TOKEN_EXPIRED = new Disconnect(CloseCodes.TOKEN_EXPIRED, "token expired");
    /** A revocation matched the connection's token. */
    public static final Disconnect TOKEN_REVOKED = new Disconnect(CloseCodes.REVOKED, "token revoked");
    /** The server API disconnected the user. */
    public static final Disconnect BY_OPERATOR = new Disconnect(CloseCodes.REVOKED, "disconnected by an operator");
    /** Rate-limited too often within the abuse window. */
    public static final Disconnect RATE_ABUSE = new Disconnect(CloseCodes.RATE_ABUSE, "rate limit abuse");
    /** Too many bad frames within the abuse window. */
    public static final Disconnect BAD_FRAMES = new Disconnect(CloseCodes.PROTOCOL_ABUSE, "too many bad frames");
    /** The connection's outbound bound was passed: it does not read fast enough. */
    public static final Disconnect SLOW_CONSUMER = new Disconnect(CloseCodes.TRY_AGAIN_LATER,
            "too slow: outbound queue full");
    /** A room message could not be queued for the connection's event loop. */
    public static final Disconnect NODE_OVERLOADED = new Disconnect(CloseCodes.TRY_AGAIN_LATER,
            "node overloaded: a room message could not be queued");
    /** The node is draining for shutdown. */
    public static final Disconnect SHUTTING_DOWN = new Disconnect(CloseCodes.GOING_AWAY, "server shutting down");
    /** A message over the size limit. */
    public static final Disconnect TOO_BIG = new Disconnect(CloseCodes.TOO_BIG, "frame larger than the maximum");
    /** A fault of the gateway's own. */
    public static final Disconnect INTERNAL = new Disconnect(CloseCodes.INTERNAL, "internal error");
}
