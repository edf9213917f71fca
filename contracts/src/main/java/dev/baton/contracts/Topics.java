package dev.baton.contracts;

import java.util.List;

/** Names of Baton's Kafka topics. All are keyed by clusterId and share one partition count (see DESIGN.md). */
public final class Topics {
    public static final String CLUSTERS = "baton.clusters.v1";
    public static final String REQUESTS = "baton.requests.v1";
    public static final String COMMANDS = "baton.commands.v1";
    public static final String RESULTS = "baton.results.v1";
    public static final String HEALTH = "baton.health.v1";
    public static final String ROLLOUTS = "baton.rollouts.v1";
    public static final String DEADLETTER = "baton.deadletter.v1";

    /** Every baton.* topic, in the order of the DESIGN.md table. */
    public static final List<String> ALL = List.of(CLUSTERS, REQUESTS, COMMANDS, RESULTS, HEALTH, ROLLOUTS, DEADLETTER);

    /**
     * The planner's own state: the latest snapshot of each cluster's rollouts and the decisions being published,
     * keyed by clusterId, log-compacted. Internal (not an event topic, outside the {@code baton.*} names), but
     * co-partitioned with the others, so the planner instance that owns a cluster finds its state in the same
     * partition number.
     */
    public static final String PLANNER_STATE = "baton-planner.state.v1";

    /** Internal topics services keep their state in; created like the others, not audited. */
    public static final List<String> INTERNAL = List.of(PLANNER_STATE);

    /** Topics that are log-compacted (latest value per key is what matters). */
    public static final List<String> COMPACTED = List.of(CLUSTERS, PLANNER_STATE);

    private Topics() {
    }
}
