package dev.baton.health.node;

/**
 * What one probe of one node saw, already interpreted by the node's procedure. Input of
 * {@link NodeStateMachine}; touches no topic.
 *
 * @param runningVersion what runs (not what is installed); null when the probe could not tell
 * @param bootId the node's {@code /proc/sys/kernel/random/boot_id}; null when it could not be read
 * @param detail a short human-readable note (e.g. why the probe failed), never a secret
 */
public record ProbeObservation(Outcome outcome, String runningVersion, String bootId, String detail) {

    /** The verdict of one probe. */
    public enum Outcome {
        GOOD(null),
        SERVICE_DOWN(InactiveReason.SERVICE_DOWN),
        LEFT_MEMBERSHIP(InactiveReason.LEFT_MEMBERSHIP),
        UNREACHABLE(InactiveReason.UNREACHABLE),
        HOST_KEY_MISMATCH(InactiveReason.HOST_KEY_MISMATCH);

        private final InactiveReason reason;

        Outcome(InactiveReason reason) {
            this.reason = reason;
        }

        /** The reason a node goes inactive because of this outcome; null for {@link #GOOD}. */
        public InactiveReason reason() {
            return reason;
        }
    }

    public ProbeObservation {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome is required");
        }
    }

    /** The product is active, running {@code runningVersion}. */
    public static ProbeObservation good(String runningVersion, String bootId) {
        return new ProbeObservation(Outcome.GOOD, runningVersion, bootId, null);
    }

    /** The probe failed with {@code outcome}. */
    public static ProbeObservation failed(Outcome outcome, String bootId, String detail) {
        if (outcome == Outcome.GOOD) {
            throw new IllegalArgumentException("a failed probe needs a failure outcome");
        }
        return new ProbeObservation(outcome, null, bootId, detail);
    }

    /**
     * The probe failed with {@code outcome}, but the output still says which version runs (e.g. Matrix: "Matrix Server
     * 3.5.0 is running but has left the matrix"): inactive, and on that version.
     */
    public static ProbeObservation failed(Outcome outcome, String bootId, String detail, String runningVersion) {
        return new ProbeObservation(failed(outcome, bootId, detail).outcome(), runningVersion, bootId, detail);
    }

    public boolean good() {
        return outcome == Outcome.GOOD;
    }

    /** The same observation with another outcome (e.g. service-down reclassified as left-membership). */
    public ProbeObservation withOutcome(Outcome newOutcome) {
        return new ProbeObservation(newOutcome, runningVersion, bootId, detail);
    }
}
