package io.switchboard.protocol;

/**
 * A client frame that breaks PROTOCOL section 3. Carries the {@code ref} when one could be read, so
 * the {@code bad_request} reply can still be correlated. Thrown per bad frame, so no stack trace.
 */
public final class BadFrameException extends Exception {
    private final String ref;

    public BadFrameException(String ref, String reason) {
        super(reason, null, false, false);
        this.ref = ref;
    }

    public String ref() {
        return ref;
    }

    public String reason() {
        return getMessage();
    }
}
