package dev.baton.planner.plan;

import dev.baton.contracts.MembershipObserved;
import java.util.Optional;

/** What health has told the planner about a cluster's nodes, as preflight and planning read it. */
public interface NodeHealth {
    /** Whether health has seen the node active; empty when it has said nothing about it yet. */
    Optional<Boolean> isActive(String node);

    /** Whether health's last word on the node was that it is active. */
    boolean isActiveNow(String node);

    /** The version the node last reported running (what runs, not what is installed). */
    Optional<String> version(String node);

    /** Why health last saw the node inactive ({@code unknown} when it did not say). */
    String inactiveReason(String node);

    /** The cluster's last membership snapshot, or null when none has been observed. */
    MembershipObserved membership();
}
