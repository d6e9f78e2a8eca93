package io.switchboard.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.WebServerRequest;

/**
 * Moves the {@link Admission} the {@link UpgradeGate} put on the routing context into the
 * connection's user data, the one place websockets-next lets the upgrade pass state to the socket.
 * A request that did not pass the gate is never upgraded.
 */
@ApplicationScoped
public class AdmissionHandoff implements HttpUpgradeCheck {

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        Admission admission = context.httpRequest() instanceof WebServerRequest web
                ? web.routingContext().get(Admission.CONTEXT_KEY)
                : null;
        if (admission == null) {
            return CheckResult.rejectUpgrade(401);
        }
        context.userData().put(Admission.USER_DATA_KEY, admission);
        return CheckResult.permitUpgrade();
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return GatewayEndpoint.ID.equals(endpointId);
    }
}
