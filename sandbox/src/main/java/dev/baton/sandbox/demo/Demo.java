package dev.baton.sandbox.demo;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./baton demo}: a real rolling upgrade on the embedded defaults. Starts Kafka, PostgreSQL
 * and the simulated fleet, runs the four services as separate processes, registers the clusters and
 * publishes {@code UpgradeRequested} as a fleet-management system would, prints each node's
 * progress, and ends with every node's final version.
 */
public final class Demo {
    /** Target version per product for the demo fleet. */
    static final Map<String, String> TARGETS = Map.of("dolphin-expressware", "5.21.0", "matrix-server", "3.5.1");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", ".")).toAbsolutePath().normalize();
        FleetSpec spec = args.length > 1 && "--fleet".equals(args[0]) ? FleetSpec.load(Path.of(args[1]))
                : FleetSpec.fromClasspath("/fleets/demo.yaml");
        Path workDir = repoRoot.resolve(".baton/demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        int status = new Demo(System.out).run(repoRoot, spec, workDir);
        System.exit(status);
    }

    int run(Path repoRoot, FleetSpec spec, Path workDir) throws Exception {
        out.println("Baton demo: starting Kafka (KRaft), PostgreSQL, the simulated fleet and the four services...");
        out.println("  logs and keys in " + workDir);
        try (LocalBaton baton = LocalBaton.start(repoRoot, spec, workDir, "demo-fleet-management")) {
            out.println("  kafka " + baton.kafka().bootstrapServers() + ", services: " + baton.services().all().stream()
                    .map(s -> s.module() + " " + s.baseUrl()).toList());
            baton.eventLog().onEntry(this::print);
            baton.registerFleet();
            List<ClusterRegistered> clusters = baton.fleet().registrations();
            for (ClusterRegistered cluster : clusters) {
                baton.awaitAllActive(cluster, Duration.ofSeconds(60));
            }
            Map<String, String> targets = new LinkedHashMap<>();
            for (ClusterRegistered cluster : clusters) {
                String target = TARGETS.get(cluster.product());
                if (target == null) {
                    out.println("  no demo target for product " + cluster.product() + ": skipping " + cluster.clusterId());
                    continue;
                }
                targets.put(cluster.clusterId(), target);
                baton.fleetManagement().requestUpgrade(cluster.clusterId(), target);
                out.printf("%s  %-12s upgrade to %s requested%n", now(), cluster.clusterId(), target);
            }
            boolean ok = awaitRollouts(baton.eventLog(), targets.keySet(), Duration.ofMinutes(5));
            out.println();
            out.println("Final versions (what each node runs):");
            for (String clusterId : targets.keySet()) {
                for (SimulatedNode node : baton.fleet().nodes(clusterId)) {
                    out.printf("  %-12s %-5s ssh %-15s cluster address %-12s %s%n", clusterId, node.name(),
                            node.sshHost(), node.clusterAddress(), node.runningVersion());
                }
            }
            out.println("Audit: " + auditCount(baton) + " events stored for " + baton.eventLog().publishedCount()
                    + " published on baton.* topics");
            out.println(ok ? "Demo finished: every rollout completed." : "Demo finished with a rollout that did not complete.");
            return ok ? 0 : 1;
        }
    }

    private boolean awaitRollouts(EventLog log, java.util.Set<String> clusterIds, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (clusterIds.stream().allMatch(log::rolloutFinished)) {
                return clusterIds.stream().allMatch(log::rolloutCompleted);
            }
            Thread.sleep(200);
        }
        out.println("timed out after " + timeout + " waiting for the rollouts to finish");
        return false;
    }

    private static String auditCount(LocalBaton baton) {
        try {
            return Long.toString(baton.auditedCount());
        } catch (Exception e) {
            return "(audit count unavailable: " + e.getMessage() + ")";
        }
    }

    private void print(EventLog.Entry entry) {
        BatonEvent event = entry.event();
        String line = describe(event);
        if (line != null) {
            out.printf("%s  %-12s %-5s %s%n", now(), event.clusterId(), event.nodeName() == null ? "" : event.nodeName(), line);
        }
    }

    private static String describe(BatonEvent event) {
        if (event instanceof RolloutPlanned planned) {
            return "plan (" + planned.orderingPolicy() + "): " + planned.nodes().stream()
                    .map(n -> n.nodeName() + (n.clusterAddress() == null ? "" : "@" + n.clusterAddress())).toList();
        } else if (event instanceof NodeUpgradeStarted started) {
            return "[>    ] upgrade " + started.fromVersion() + " -> " + started.targetVersion() + " started";
        } else if (event instanceof NodeCommand command) {
            return "[=>   ] step " + command.step() + ": " + command.command();
        } else if (event instanceof StepSucceeded ok) {
            return "[==>  ] step " + ok.step() + " succeeded";
        } else if (event instanceof StepFailed failed) {
            return "[!!   ] step " + failed.step() + " FAILED " + failed.errorCode() + ": " + failed.message();
        } else if (event instanceof NodeInactive inactive) {
            return "[===> ] inactive (" + inactive.reason() + ")";
        } else if (event instanceof NodeActive active) {
            return "[====>] active on " + active.runningVersion();
        } else if (event instanceof NodeUpgraded upgraded) {
            return "[=====] upgraded: runs " + upgraded.runningVersion();
        } else if (event instanceof RolloutCompleted) {
            return "rollout completed";
        } else if (event instanceof RolloutHalted halted) {
            return "rollout HALTED: " + halted.code() + " " + halted.message();
        } else if (event instanceof RolloutRejected rejected) {
            return "rollout REJECTED: " + rejected.code() + " " + rejected.message();
        }
        return null;
    }

    private static String now() {
        return LocalDateTime.now().format(TIME);
    }
}
