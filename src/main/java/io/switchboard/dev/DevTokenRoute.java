package io.switchboard.dev;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /dev/token?sub=alice&roles=user&ttl=300}: mints an HS256 token with the dev profile's
 * secret, so a newcomer can connect without an identity provider. The bean exists only in a dev
 * build ({@code ./mvnw quarkus:dev}); a prod build does not contain the route at all.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DevTokenRoute {
    static final String PATH = "/dev/token";
    private static final long MAX_TTL_SECONDS = 24 * 3600;

    private final JWTAuthContextInfo jwt;
    private final Optional<String> secret;

    public DevTokenRoute(JWTAuthContextInfo jwt,
            @ConfigProperty(name = "smallrye.jwt.verify.secretkey") Optional<String> secret) {
        this.jwt = jwt;
        this.secret = secret;
    }

    void install(@Observes Router router) {
        router.get(PATH).handler(this::mint);
    }

    private void mint(RoutingContext ctx) {
        String sub = ctx.request().getParam("sub", "dev-user");
        Set<String> roles = Arrays.stream(ctx.request().getParam("roles", "user").split(","))
                .map(String::trim).filter(r -> !r.isEmpty()).collect(Collectors.toSet());
        long ttl;
        try {
            ttl = Long.parseLong(ctx.request().getParam("ttl", "3600"));
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl <= 0 || ttl > MAX_TTL_SECONDS || secret.isEmpty()) {
            ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"error\":\"bad_request\",\"reason\":\"ttl must be 1.." + MAX_TTL_SECONDS
                            + " seconds and smallrye.jwt.verify.secretkey must be set\"}");
            return;
        }
        JwtClaimsBuilder claims = Jwt.subject(sub).groups(roles).expiresIn(Duration.ofSeconds(ttl));
        if (jwt.getIssuedBy() != null) {
            claims.issuer(jwt.getIssuedBy());
        }
        if (jwt.getExpectedAudience() != null && !jwt.getExpectedAudience().isEmpty()) {
            claims.audience(Set.copyOf(jwt.getExpectedAudience()));
        }
        String token = claims.jws().algorithm(SignatureAlgorithm.HS256).signWithSecret(secret.get());
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(new JsonObject().put("token", token).put("sub", sub).put("ttl", ttl).encode());
    }
}
