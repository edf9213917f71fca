package dev.baton.contracts;

import java.util.List;

/**
 * A snapshot of who is in the cluster and on which version (the mixed-version picture),
 * published on {@link Topics#HEALTH} when it changes.
 */
public record MembershipObserved(
        String clusterId,
        List<Member> members,
        boolean mixedVersion) implements HealthEvent {

    public MembershipObserved {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /**
     * One member, with the address the cluster itself reports for it.
     *
     * @param holdsSharedResource whether the node holds the procedure's shared resource (Matrix: has PSFS mounted), as
     *                            last probed; null when the procedure declares none or the node could not be asked
     */
    public record Member(String nodeName, String clusterAddress, String runningVersion, boolean active,
                         Boolean holdsSharedResource) {
        /** A member of a cluster whose procedure declares no shared resource. */
        public Member(String nodeName, String clusterAddress, String runningVersion, boolean active) {
            this(nodeName, clusterAddress, runningVersion, active, null);
        }
    }
}
