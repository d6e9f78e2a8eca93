package io.switchboard.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * This node's copy of the revocations, read by the upgrade check and by refresh: a map lookup, no
 * Redis round trip. Entries are kept until no token they match can still be valid.
 */
@ApplicationScoped
public class Revocations {
    private record UserRevocation(long issuedBeforeMillis, long expiresAt) {
    }

    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, UserRevocation> users = new ConcurrentHashMap<>();

    public void revokeToken(String jti, long expiresAt) {
        tokens.merge(jti, expiresAt, Math::max);
    }

    /** Revokes the user's tokens issued before {@code issuedBefore} (epoch seconds). */
    public void revokeUser(String sub, long issuedBefore, long expiresAt) {
        users.merge(sub, new UserRevocation(issuedBefore * 1000, expiresAt),
                (a, b) -> a.issuedBeforeMillis() >= b.issuedBeforeMillis() ? a : b);
    }

    public boolean isRevoked(VerifiedToken token) {
        long now = System.currentTimeMillis();
        if (token.jti() != null) {
            Long until = tokens.get(token.jti());
            if (until != null) {
                if (until > now) {
                    return true;
                }
                tokens.remove(token.jti(), until);
            }
        }
        UserRevocation user = users.get(token.sub());
        if (user == null) {
            return false;
        }
        if (user.expiresAt() <= now) {
            users.remove(token.sub(), user);
            return false;
        }
        // A token without iat cannot prove it was issued after the cut-off.
        return token.iatMillis() == 0 || token.iatMillis() < user.issuedBeforeMillis();
    }
}
