package io.switchboard.gateway;

import io.netty.channel.Channel;
import io.quarkus.websockets.next.UserData;
import io.switchboard.auth.VerifiedToken;

/**
 * What the upgrade gate hands to the opened connection: the verified token, its quota slot, and
 * the Netty channel the socket will run on, for the fan-out's direct writes.
 */
record Admission(VerifiedToken token, ConnectionQuota.Lease lease, Channel channel) {
    static final String CONTEXT_KEY = "switchboard.admission";
    static final UserData.TypedKey<Admission> USER_DATA_KEY = new UserData.TypedKey<>(CONTEXT_KEY);
}
