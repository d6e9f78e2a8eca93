package io.switchboard.protocol;

/**
 * A place in a history room's stream (PROTOCOL section 8): the stream's epoch and the offset of a
 * message in it ({@code 0}: before the first message). A join's {@code since} and the
 * {@code position} of its reply.
 */
public record Position(String epoch, long offset) {
}
