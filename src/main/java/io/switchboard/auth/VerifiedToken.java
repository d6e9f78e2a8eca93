package io.switchboard.auth;

import java.util.Set;

/**
 * What the gateway keeps of a verified token: plain fields, so per-frame guards read a long and a
 * small set instead of parsing claims.
 *
 * @param expMillis {@code exp} in epoch milliseconds
 * @param iatMillis {@code iat} in epoch milliseconds, or 0 when absent
 * @param jti the token id, or null when absent
 */
public record VerifiedToken(String sub, Set<String> roles, long expMillis, long iatMillis, String jti) {

    public long expSeconds() {
        return expMillis / 1000;
    }
}
