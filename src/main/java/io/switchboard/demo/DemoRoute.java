package io.switchboard.demo;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The demo page: {@code /} and its assets under {@code /demo/}, from the classpath folder
 * {@code demo/}. Off unless {@code switchboard.demo.enabled}: a production gateway serves no page.
 * The client library itself ({@code /client/switchboard.js}) is always served, for client apps.
 */
@ApplicationScoped
public class DemoRoute {
    private static final String ROOT = "demo";

    private final DemoConfig config;

    public DemoRoute(DemoConfig config) {
        this.config = config;
    }

    void install(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        StaticHandler assets = StaticHandler.create(ROOT).setCachingEnabled(false);
        router.get("/").handler(ctx -> ctx.reroute("/demo/index.html"));
        router.get("/demo/*").handler(assets);
    }
}
