package io.switchboard.cluster;

/**
 * A command every node carries out: close a user's connections, or revoke tokens. Revocations
 * are retained (until {@link #expiresAt()}) so nodes that start later apply them too. A command of a
 * type this node does not know, from a newer node, is {@link Unknown}: recognised, and ignored.
 * {@link ControlCommandJson} is the wire format.
 */
public sealed interface ControlCommand
        permits ControlCommand.Disconnect, ControlCommand.Revocation, ControlCommand.Unknown {

    /** Epoch ms after which a retained command no longer matters; 0 if not retained. */
    long expiresAt();

    default boolean retained() {
        return expiresAt() > 0;
    }

    /** Close every connection of the user {@code sub} with 4403. */
    record Disconnect(String sub) implements ControlCommand {
        @Override
        public long expiresAt() {
            return 0;
        }
    }

    /** Tokens refused, and their connections closed, until {@code expiresAt}. */
    sealed interface Revocation extends ControlCommand permits RevokeToken, RevokeUser {
        /** Identifies a retained revocation: a later one with the same key replaces it. */
        String key();
    }

    /** The token whose id is {@code jti}; a token id says nothing about its user. */
    record RevokeToken(String jti, long expiresAt) implements Revocation {
        @Override
        public String key() {
            return "jti:" + jti;
        }
    }

    /** The tokens of {@code sub} issued before {@code issuedBefore} (epoch seconds). */
    record RevokeUser(String sub, long issuedBefore, long expiresAt) implements Revocation {
        @Override
        public String key() {
            return "sub:" + sub;
        }
    }

    /** A well-formed command of a type this node does not know (a newer node's): nothing to carry out. */
    record Unknown(String type, long expiresAt) implements ControlCommand {
    }
}
