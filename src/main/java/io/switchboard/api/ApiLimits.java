package io.switchboard.api;

/**
 * What the server API takes from the node's limits ({@code switchboard.limits}), which the gateway
 * owns and hands down: a request body is bounded like a client message.
 */
public record ApiLimits(int maxBodyBytes) {
}
