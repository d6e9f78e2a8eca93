package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.quarkus.websockets.next.HandshakeRequest;
import io.switchboard.auth.OriginPolicy;
import io.switchboard.auth.RejectReason;
import io.switchboard.auth.Revocations;
import io.switchboard.auth.TokenCarriers;
import io.switchboard.auth.TokenRejectedException;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.ops.Drain;
import io.switchboard.ops.GatewayMetrics;
import io.switchboard.ops.DrainConfig;
import io.switchboard.transport.NettyAccess;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Decides every upgrade on {@code /ws} before a socket exists (PROTOCOL section 1).
 * <p>
 * It is a route in front of the websockets-next endpoint rather than an {@code HttpUpgradeCheck}
 * because a check can only refuse with a status and headers, and the protocol promises a JSON body
 * with the reason. An admitted request carries its {@link Admission} on to {@link AdmissionHandoff}.
 */
@ApplicationScoped
public class UpgradeGate {
    private static final Logger LOG = Logger.getLogger(UpgradeGate.class);
    static final String PATH = "/ws";
    /** Ahead of the websockets-next endpoint route, which is registered with the default order. */
    private static final int ORDER = -100;

    private final OriginPolicy origins;
    private final TokenCarriers carriers;
    private final TokenVerifier verifier;
    private final ConnectionQuota quota;
    private final Drain drain;
    private final Revocations revocations;
    private final GatewayMetrics metrics;
    private final String retryAfterSeconds;

    public UpgradeGate(OriginPolicy origins, TokenCarriers carriers, TokenVerifier verifier, ConnectionQuota quota,
            Revocations revocations, Drain drain, GatewayMetrics metrics, DrainConfig ops) {
        this.origins = origins;
        this.carriers = carriers;
        this.verifier = verifier;
        this.quota = quota;
        this.revocations = revocations;
        this.drain = drain;
        this.metrics = metrics;
        this.retryAfterSeconds = String.valueOf(Math.max(1, ops.retryAfter().toSeconds()));
    }

    void install(@Observes Router router) {
        // stops the start, naming the internal, rather than failing every upgrade later
        NettyAccess.verify();
        router.route(PATH).order(ORDER).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!isWebSocketUpgrade(request)) {
            ctx.next();
            return;
        }
        if (drain.draining()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
            refuse(ctx, 503, "draining", "{\"error\":\"draining\"}");
            return;
        }
        if (!origins.permits(request.getHeader(HttpHeaders.ORIGIN))) {
            refuse(ctx, 403, "origin", "{\"error\":\"forbidden\",\"reason\":\"origin\"}");
            return;
        }
        String raw;
        try {
            raw = carriers.extract(request);
        } catch (TokenRejectedException e) {
            unauthorized(ctx, e.reason());
            return;
        }
        verifier.verify(raw).onComplete(verified -> {
            if (verified.failed()) {
                unauthorized(ctx, RejectReason.of(verified.cause()));
            } else {
                admit(ctx, verified.result());
            }
        });
    }

    private void admit(RoutingContext ctx, VerifiedToken token) {
        if (ctx.response().closed()) {
            return; // the client went away while its key was being fetched
        }
        if (!verifier.hasRequiredRole(token)) {
            refuse(ctx, 403, "role", "{\"error\":\"forbidden\",\"reason\":\"role\"}");
            return;
        }
        if (revocations.isRevoked(token)) {
            refuse(ctx, 403, "revoked", "{\"error\":\"forbidden\",\"reason\":\"revoked\"}");
            return;
        }
        ConnectionQuota.Slot slot = quota.tryAcquire(token.sub());
        if (slot == ConnectionQuota.Refusal.USER_FULL) {
            refuse(ctx, 429, "too_many_connections", "{\"error\":\"too_many_connections\"}");
            return;
        }
        if (slot == ConnectionQuota.Refusal.NODE_FULL) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
            refuse(ctx, 503, "node_full", "{\"error\":\"node_full\"}");
            return;
        }
        HttpServerRequest request = ctx.request();
        ConnectionQuota.Lease lease = (ConnectionQuota.Lease) slot;
        // Gives the slot back if the upgrade fails after this point and no socket ever opens.
        request.connection().closeHandler(closed -> lease.release());
        Channel channel = NettyAccess.channel(request.connection());
        ctx.put(Admission.CONTEXT_KEY, new Admission(token, lease, channel));
        metrics.upgradeAccepted();
        ctx.next();
    }

    private void unauthorized(RoutingContext ctx, RejectReason reason) {
        String wire = reason.wire();
        ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" + wire + "\"");
        refuse(ctx, 401, wire, "{\"error\":\"unauthorized\",\"reason\":\"" + wire + "\"}");
    }

    /** The same test websockets-next applies before it upgrades. */
    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        return request.headers().contains(HandshakeRequest.SEC_WEBSOCKET_KEY);
    }

    private void refuse(RoutingContext ctx, int status, String reason, String body) {
        metrics.upgradeRefused(reason);
        LOG.debugf("upgrade refused: %d %s", status, reason);
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body);
    }
}
