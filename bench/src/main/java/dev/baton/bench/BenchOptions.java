package dev.baton.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code ./baton bench} run measures, as {@link RollingUpgradeBench} read it from the command line: the
 * rolling-upgrade comparison ({@code rounds}, with or without Ansible and the OpenSSH scenario), the many-clusters
 * scenario ({@code clusterCounts} of {@code clusterSize} nodes, 1 then up to {@code executors} executors) and the
 * audit store at {@code auditEvents} events (0: skipped).
 */
record BenchOptions(Path fleet, Path results, boolean skipAnsible, Duration timeout, int rounds, boolean skipRollout,
                    int auditEvents, List<Integer> clusterCounts, int clusterSize, int executors, boolean skipOpenSsh) {
    BenchOptions {
        clusterCounts = List.copyOf(clusterCounts);
    }
}
