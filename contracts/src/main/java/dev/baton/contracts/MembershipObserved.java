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

    /** One member, with the address the cluster itself reports for it. */
    public record Member(String nodeName, String clusterAddress, String runningVersion, boolean active) {
    }
}
