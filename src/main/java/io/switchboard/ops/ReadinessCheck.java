package io.switchboard.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.switchboard.cluster.Bus;
import io.switchboard.cluster.BusStatus;

/**
 * Ready means "accepts new connections": down only while draining. The Redis bridge is reported
 * as detail but never fails readiness: a Redis outage hits every pod at once, and taking them all
 * out of service would turn lost cross-node fan-out into a full outage.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    private final Drain drain;
    private final Bus bus;

    public ReadinessCheck(Drain drain, Bus bus) {
        this.drain = drain;
        this.bus = bus;
    }

    @Override
    public HealthCheckResponse call() {
        BusStatus status = bus.status();
        return HealthCheckResponse.named("switchboard")
                .status(!drain.draining())
                .withData("draining", drain.draining())
                .withData("bus", status.engine())
                .withData("busConnected", status.connected())
                .withData("heldBack", status.heldBack())
                .withData("canaryRoundTripMs", status.canaryRoundTripMillis())
                .build();
    }
}
