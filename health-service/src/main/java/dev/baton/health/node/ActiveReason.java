package dev.baton.health.node;

/** Why a {@code NodeActive} edge was published on {@code baton.health.v1}; {@link #wire()} is its {@code reason}. */
public enum ActiveReason {
    /** The node passed the procedure's number of consecutive good probes on one running version. */
    PROBE_STABLE("probe-stable"),
    /** An active node is now stably running another version (e.g. restarted on an update between two probes). */
    VERSION_CHANGED("version-changed"),
    /**
     * The node passed the window on a boot other than the one it had at its previous edge: it rebooted (and was
     * announced inactive meanwhile), so this edge and the previous {@code NodeInactive} are one reboot.
     */
    REBOOTED("rebooted");

    private final String wire;

    ActiveReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
