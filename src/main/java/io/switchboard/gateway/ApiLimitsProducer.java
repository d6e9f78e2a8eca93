package io.switchboard.gateway;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.switchboard.api.ApiLimits;

/** Hands the server API its share of the gateway's limits, so {@code api} does not depend on {@code gateway}. */
@Singleton
class ApiLimitsProducer {

    @Produces
    @Singleton
    ApiLimits apiLimits(LimitsConfig limits) {
        return new ApiLimits(limits.maxFrameBytes());
    }
}
