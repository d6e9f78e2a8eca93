package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Revocations hold what can still match a valid token, and let go of the rest as time passes. */
class RevocationsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final Revocations revocations = new Revocations(now::get);

    private VerifiedToken token(String sub, String jti, long iatMillis) {
        return new VerifiedToken(sub, Set.of("user"), now.get() + 60_000, iatMillis, jti);
    }

    @Test
    void expiredRevocationsAreDroppedWithoutTheirTokenComingBack() {
        long in10Minutes = now.get() + 600_000;
        for (int i = 0; i < 100; i++) {
            revocations.revokeToken("jti-" + i, in10Minutes);
            revocations.revokeUser("user-" + i, now.get() / 1000, in10Minutes);
        }
        assertEquals(200, revocations.size());
        assertTrue(revocations.isRevoked(token("someone", "jti-7", now.get())));
        assertTrue(revocations.isRevoked(token("user-7", null, now.get() - 1000)));

        // every token they matched has expired; one more revocation later sweeps them all out
        now.addAndGet(600_000 + Revocations.SWEEP_MILLIS);
        revocations.revokeToken("fresh", now.get() + 600_000);
        assertEquals(1, revocations.size());
        assertFalse(revocations.isRevoked(token("someone", "jti-7", now.get())));
        assertTrue(revocations.isRevoked(token("someone", "fresh", now.get())));
    }

    @Test
    void liveRevocationsSurviveTheSweep() {
        revocations.revokeToken("short", now.get() + 1_000);
        revocations.revokeToken("long", now.get() + 3_600_000);
        revocations.revokeUser("u", now.get() / 1000, now.get() + 3_600_000);
        now.addAndGet(2 * Revocations.SWEEP_MILLIS);
        revocations.revokeToken("another", now.get() + 3_600_000);
        assertEquals(3, revocations.size());
        assertTrue(revocations.isRevoked(token("x", "long", now.get())));
        assertTrue(revocations.isRevoked(token("u", null, now.get() - 3 * Revocations.SWEEP_MILLIS)));
    }
}
