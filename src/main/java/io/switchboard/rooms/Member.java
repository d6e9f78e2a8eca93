package io.switchboard.rooms;

/** A local connection as rooms see it: something an encoded frame can be handed to. */
public interface Member {
    /** Hands over an already encoded frame; must not block. */
    void deliver(String frame);
}
