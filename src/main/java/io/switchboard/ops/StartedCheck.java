package io.switchboard.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import io.switchboard.cluster.Bus;

/** Started once the application has booted (keys loaded, bus engine chosen). */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {
    private final Bus bus;

    public StartedCheck(Bus bus) {
        this.bus = bus;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("switchboard-started").up().withData("bus", bus.status().engine()).build();
    }
}
