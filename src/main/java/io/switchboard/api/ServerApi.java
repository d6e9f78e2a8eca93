package io.switchboard.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.switchboard.auth.AuthConfig;
import io.switchboard.auth.RejectReason;
import io.switchboard.auth.Revocations;
import io.switchboard.auth.TokenCarriers;
import io.switchboard.auth.TokenRejectedException;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.cluster.Bus;
import io.switchboard.cluster.BusUnavailableException;
import io.switchboard.cluster.ControlCommand;
import io.switchboard.cluster.NodeIdentity;
import io.switchboard.cluster.RoomMessage;
import io.switchboard.protocol.JsonText;
import io.switchboard.protocol.MessageLimit;
import io.switchboard.protocol.RoomNames;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The server API of PROTOCOL section 6, for backend services: publish, disconnect, revoke. It goes through the same bus as
 * client publishes, so there is one way to publish and both reach every node.
 */
@ApplicationScoped
public class ServerApi {
    static final String SERVER_SENDER = "server";

    private final TokenVerifier verifier;
    private final Revocations revocations;
    private final Bus bus;
    private final NodeIdentity node;
    private final String serviceRole;
    private final int maxBodyBytes;
    private final long maxTokenLifetimeMillis;

    public ServerApi(TokenVerifier verifier, Revocations revocations, Bus bus, NodeIdentity node, ApiConfig config, MessageLimit limit,
            AuthConfig auth) {
        this.verifier = verifier;
        this.revocations = revocations;
        this.bus = bus;
        this.node = node;
        this.serviceRole = config.serviceRole();
        this.maxBodyBytes = limit.maxBytes();
        this.maxTokenLifetimeMillis = auth.maxTokenLifetime().toMillis();
    }

    void install(@Observes Router router) {
        router.post("/api/v1/*").handler(this::authenticate);
        router.post("/api/v1/rooms/:room/messages")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::publish)
                .failureHandler(this::failure);
        router.post("/api/v1/users/:sub/disconnect").handler(this::disconnect);
        router.post("/api/v1/revocations")
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::revoke)
                .failureHandler(this::failure);
    }

    private void authenticate(RoutingContext ctx) {
        String raw;
        try {
            raw = TokenCarriers.fromAuthorization(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        } catch (TokenRejectedException e) {
            unauthorized(ctx, e.reason());
            return;
        }
        verifier.verify(raw).onComplete(verified -> {
            if (verified.failed()) {
                unauthorized(ctx, RejectReason.of(verified.cause()));
            } else if (revocations.isRevoked(verified.result())) {
                answer(ctx, 403, new JsonObject().put("error", "forbidden").put("reason", "revoked"));
            } else if (!verified.result().roles().contains(serviceRole)) {
                answer(ctx, 403, new JsonObject().put("error", "forbidden").put("reason", "the " + serviceRole + " role is required"));
            } else {
                ctx.next();
            }
        });
    }

    private void unauthorized(RoutingContext ctx, RejectReason reason) {
        ctx.response().putHeader("WWW-Authenticate",
                "Bearer error=\"invalid_token\", error_description=\"" + reason.wire() + "\"");
        answer(ctx, 401, new JsonObject().put("error", "unauthorized").put("reason", reason.wire()));
    }

    private void publish(RoutingContext ctx) {
        String room = ctx.pathParam("room");
        if (!RoomNames.isValid(room)) {
            badRequest(ctx, "invalid room name");
            return;
        }
        String data = ctx.body().asString();
        if (data == null || !JsonText.isSingleValue(data)) {
            badRequest(ctx, "the body must be one JSON value");
            return;
        }
        RoomMessage message = RoomMessage.of(node.nextMessageId(), room, SERVER_SENDER, System.currentTimeMillis(), data.strip());
        // In a history room the answer waits for the offset (PROTOCOL section 8).
        bus.publish(message, true).subscribe().with(
                offset -> answer(ctx, 202, offset > 0 ? new JsonObject().put("id", message.id()).put("offset", offset)
                        : new JsonObject().put("id", message.id())),
                failure -> answer(ctx, failure instanceof BusUnavailableException ? 503 : 500,
                        new JsonObject().put("error", failure instanceof BusUnavailableException ? "unavailable" : "internal")));
    }

    private void disconnect(RoutingContext ctx) {
        String sub = ctx.pathParam("sub");
        bus.broadcast(new ControlCommand.Disconnect(sub)).subscribe().with(
                accepted -> answer(ctx, 202, new JsonObject().put("sub", sub)),
                failure -> answer(ctx, 503, new JsonObject().put("error", "unavailable")));
    }

    /** {@code {"jti": "..."}} or {@code {"sub": "...", "issuedBefore": <epoch seconds>}}. */
    private void revoke(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            badRequest(ctx, "the body must be a JSON object");
            return;
        }
        Object jti = body.getValue("jti");
        Object sub = body.getValue("sub");
        Object issuedBefore = body.getValue("issuedBefore");
        long now = System.currentTimeMillis();
        ControlCommand.Revocation command;
        if (jti instanceof String id && !id.isEmpty() && sub == null && issuedBefore == null) {
            command = new ControlCommand.RevokeToken(id, now + maxTokenLifetimeMillis);
        } else if (jti == null && sub instanceof String user && !user.isEmpty()
                && issuedBefore instanceof Number before && before.longValue() > 0
                && before.doubleValue() == before.longValue()) {
            command = new ControlCommand.RevokeUser(user, before.longValue(),
                    Math.max(now, before.longValue() * 1000) + maxTokenLifetimeMillis);
        } else {
            badRequest(ctx, "give either jti, or sub and issuedBefore (epoch seconds)");
            return;
        }
        bus.broadcast(command).subscribe().with(
                accepted -> answer(ctx, 202, new JsonObject().put("revoked", command.key())),
                failure -> answer(ctx, 503, new JsonObject().put("error", "unavailable")));
    }

    private void failure(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            answer(ctx, 413, new JsonObject().put("error", "too_large").put("reason", "the body is over " + maxBodyBytes + " bytes"));
        } else if (ctx.statusCode() == 400) {
            badRequest(ctx, "unreadable body");
        } else {
            ctx.next();
        }
    }

    private static void badRequest(RoutingContext ctx, String reason) {
        answer(ctx, 400, new JsonObject().put("error", "bad_request").put("reason", reason));
    }

    private static void answer(RoutingContext ctx, int status, JsonObject body) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
        }
    }
}
