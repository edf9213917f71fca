package dev.baton.health.node;

/** Why a node stopped counting as active; {@link #wire()} is the {@code reason} of {@code NodeInactive} on {@code baton.health.v1}. */
public enum InactiveReason {
    /** No SSH connection, or no answer within the probe timeout. */
    UNREACHABLE("unreachable"),
    /** The node answered, but the procedure's probe says the product is not active. */
    SERVICE_DOWN("service-down"),
    /** The product is not active and the cluster's own membership no longer lists the node. */
    LEFT_MEMBERSHIP("left-membership"),
    /** The node's boot id changed: it rebooted since the last probe. */
    REBOOTING("rebooting"),
    /** The node presents a host key that known_hosts does not hold: it must not be trusted or acted on. */
    HOST_KEY_MISMATCH("host-key-mismatch");

    private final String wire;

    InactiveReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
