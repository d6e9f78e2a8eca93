package io.switchboard.cluster;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Who this node is. The name is for people; the instance id is random per process, so two nodes
 * given the same name (or a pod restarted under its old name) still never mistake each other's
 * messages for their own, and message ids stay unique across the cluster.
 */
@ApplicationScoped
public class NodeIdentity {
    private final String name;
    private final String instanceId;
    private final AtomicLong sequence = new AtomicLong();

    public NodeIdentity(NodeConfig config) {
        String host = System.getenv("HOSTNAME");
        this.name = config.name().orElse(host == null || host.isBlank() ? "switchboard" : host);
        this.instanceId = Long.toString(new SecureRandom().nextLong() >>> 23, 36);
    }

    public String name() {
        return name;
    }

    public String instanceId() {
        return instanceId;
    }

    /** A cluster-wide unique message id. */
    public String nextMessageId() {
        return instanceId + '-' + Long.toString(sequence.incrementAndGet(), 36);
    }
}
