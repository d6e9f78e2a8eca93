package io.switchboard.gateway;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.switchboard.protocol.MessageLimit;

/** Hands the server API the gateway's message limit, so {@code api} does not depend on {@code gateway}. */
@Singleton
class MessageLimitProducer {

    @Produces
    @Singleton
    MessageLimit messageLimit(LimitsConfig limits) {
        return new MessageLimit(limits.maxFrameBytes());
    }
}
