package io.switchboard.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * This node's copy of the revocations, read by the upgrade check and by refresh: a map lookup, no
 * Redis round trip. Entries are kept until no token they match can still be valid: each new
 * revocation also sweeps out the expired ones (at most once per {@link #SWEEP_MILLIS}), so the maps
 * hold only live revocations and those of the last sweep interval.
 */
@ApplicationScoped
public class Revocations {
    static final long SWEEP_MILLIS = 60_000;

    private record UserRevocation(long issuedBeforeMillis, long expiresAt) {
    }

    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, UserRevocation> users = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final AtomicLong nextSweep = new AtomicLong();

    public Revocations() {
        this(System::currentTimeMillis);
    }

    Revocations(LongSupplier clock) {
        this.clock = clock;
    }

    public void revokeToken(String jti, long expiresAt) {
        tokens.merge(jti, expiresAt, Math::max);
        sweep();
    }

    /** Revokes the user's tokens issued before {@code issuedBefore} (epoch seconds). */
    public void revokeUser(String sub, long issuedBefore, long expiresAt) {
        users.merge(sub, new UserRevocation(issuedBefore * 1000, expiresAt),
                (a, b) -> a.issuedBeforeMillis() >= b.issuedBeforeMillis() ? a : b);
        sweep();
    }

    /** Revocations held (token and user), for tests and gauges. */
    int size() {
        return tokens.size() + users.size();
    }

    private void sweep() {
        long now = clock.getAsLong();
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + SWEEP_MILLIS)) {
            return;
        }
        tokens.values().removeIf(until -> until <= now);
        users.values().removeIf(user -> user.expiresAt() <= now);
    }

    public boolean isRevoked(VerifiedToken token) {
        long now = clock.getAsLong();
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
