package io.switchboard.gateway;

import io.quarkus.websockets.next.UserData;
import io.switchboard.auth.VerifiedToken;

/** What the upgrade gate hands to the opened connection: the verified token and its quota slot. */
record Admission(VerifiedToken token, ConnectionQuota.Lease lease) {
    static final String CONTEXT_KEY = "switchboard.admission";
    static final UserData.TypedKey<Admission> USER_DATA_KEY = new UserData.TypedKey<>(CONTEXT_KEY);
}
