package io.switchboard.auth;

/** A token that failed verification. Thrown on hostile input, so it carries no stack trace. */
public final class TokenRejectedException extends Exception {
    private final RejectReason reason;

    public TokenRejectedException(RejectReason reason) {
        super(reason.wire(), null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
