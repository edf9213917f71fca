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

    /** Topics that are log-compacted (latest value per key is what matters). */
    public static final List<String> COMPACTED = List.of(CLUSTERS);

    private Topics() {
    }
}
