package io.switchboard.cluster;

/** The other nodes cannot be reached and the hold-back buffer is full: the message was not accepted. */
public final class BusUnavailableException extends RuntimeException {
    public BusUnavailableException(String message) {
        super(message, null, false, false);
    }
}
