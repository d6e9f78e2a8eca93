package io.switchboard.protocol;

/**
 * The largest message the node takes, in bytes: a client message over it closes the connection with
 * 1009 (PROTOCOL section 5), and a server API body over it is answered 413. The gateway owns the
 * setting ({@code switchboard.limits.max-frame-bytes}) and hands this value to the server API, which
 * sits below it.
 */
public record MessageLimit(int maxBytes) {
}
