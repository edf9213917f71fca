package dev.baton.cli;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutAborted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPaused;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's live view: one row per node (state, running version, progress bar), built only from
 * the events read back from the {@code baton.*} topics (where {@code baton watch} polls the planner's REST
 * view instead). Pure: no I/O, no clock, no threads (callers synchronise); {@link #render()} gives the rows
 * as text, with the CLI's own progress bar ({@link Text#bar(int)}).
 */
final class RolloutBoard {

    /** Where a node is in its rollout, as the board shows it. */
    enum Phase {
        WAITING("waiting"), UPGRADING("upgrading"), REMEDIATING("remedy"), RESTARTING("restarting"),
        DONE("done"), FAILED("FAILED"), IDLE("active");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /** One node's row. */
    static final class Row {
        final String clusterId;
        final String nodeName;
        Phase phase = Phase.IDLE;
        String version;
        String target;
        String detail = "";
        int stepsTotal = 3;
        int stepsDone;
        boolean activeOnTarget;

        Row(String clusterId, String nodeName) {
            this.clusterId = clusterId;
            this.nodeName = nodeName;
        }

        int percent() {
            if (phase == Phase.DONE) {
                return 100;
            }
            if (phase == Phase.IDLE || phase == Phase.WAITING) {
                return 0;
            }
            int total = stepsTotal + 2;
            int done = 1 + Math.min(stepsDone, stepsTotal) + (activeOnTarget ? 1 : 0);
            return Math.min(99, done * 100 / total);
        }
    }

    private final Map<String, Map<String, Row>> clusters = new LinkedHashMap<>();
    private final Map<String, String> clusterOutcome = new LinkedHashMap<>();

    /** Updates the rows from one event; returns a line worth printing on its own (a plan, a failure, a remedy), or null. */
    String accept(BatonEvent event) {
        if (event == null || event.clusterId() == null) {
            return null;
        }
        if (event instanceof RolloutPlanned planned) {
            Map<String, Row> ordered = new LinkedHashMap<>();
            Map<String, Row> old = clusters.getOrDefault(planned.clusterId(), Map.of());
            for (RolloutPlanned.PlannedNode node : planned.nodes()) {
                Row row = old.containsKey(node.nodeName()) ? old.get(node.nodeName()) : new Row(planned.clusterId(), node.nodeName());
                row.target = planned.targetVersion();
                row.version = row.version == null ? node.fromVersion() : row.version;
                row.stepsTotal = node.steps().isEmpty() ? row.stepsTotal : node.steps().size();
                row.phase = planned.dryRun() ? Phase.IDLE : Phase.WAITING;
                row.detail = planned.dryRun() ? "dry run: " + String.join(", ", node.steps()) : "";
                ordered.put(node.nodeName(), row);
            }
            old.forEach(ordered::putIfAbsent);
            clusters.put(planned.clusterId(), ordered);
            return (planned.dryRun() ? "dry-run plan" : "plan") + " (" + planned.orderingPolicy() + "): "
                    + planned.nodes().stream().map(n -> n.nodeName() + (n.clusterAddress() == null ? "" : "@" + n.clusterAddress()))
                    .toList();
        }
        if (event instanceof RolloutCompleted) {
            clusterOutcome.put(event.clusterId(), "completed");
            return "rollout completed";
        }
        if (event instanceof RolloutHalted halted) {
            clusterOutcome.put(event.clusterId(), "HALTED");
            if (halted.nodeName() != null) {
                Row row = row(halted.clusterId(), halted.nodeName());
                row.phase = Phase.FAILED;
                row.detail = halted.code();
            }
            return "rollout HALTED: " + halted.code() + " " + halted.message();
        }
        if (event instanceof RolloutRejected rejected) {
            clusterOutcome.put(event.clusterId(), "REJECTED");
            return "rollout REJECTED: " + rejected.code() + " " + rejected.message();
        }
        if (event instanceof RolloutAborted) {
            clusterOutcome.put(event.clusterId(), "ABORTED");
            return "rollout ABORTED";
        }
        if (event instanceof RolloutPaused) {
            return "rollout paused";
        }
        String node = event.nodeName();
        if (node == null) {
            return null;
        }
        Row row = row(event.clusterId(), node);
        if (event instanceof NodeUpgradeStarted started) {
            row.phase = Phase.UPGRADING;
            row.target = started.targetVersion();
            row.version = started.fromVersion();
            row.stepsDone = 0;
            row.activeOnTarget = false;
            row.detail = started.fromVersion() + " -> " + started.targetVersion();
        } else if (event instanceof NodeCommand command) {
            if (command.kind() == NodeCommand.Kind.REBOOT) {
                row.phase = Phase.REMEDIATING;
                row.detail = "rebooting (" + command.step() + ")";
                return "remedy: rebooting " + node + " (" + command.step() + ")";
            }
            if (row.phase != Phase.REMEDIATING) {
                row.phase = Phase.UPGRADING;
            }
            row.detail = "step " + command.step() + (command.attempt() > 1 ? " (attempt " + command.attempt() + ")" : "");
        } else if (event instanceof StepSucceeded ok) {
            row.stepsDone++;
            row.detail = "step " + ok.step() + " ok";
        } else if (event instanceof StepFailed failed) {
            row.detail = "step " + failed.step() + " failed: " + failed.errorCode();
            return "step " + failed.step() + " failed on " + node + ": " + failed.errorCode()
                    + (failed.message() == null ? "" : " " + failed.message());
        } else if (event instanceof NodeInactive inactive) {
            if (inactive.runningVersion() != null) {
                row.version = inactive.runningVersion();
            }
            if (row.phase == Phase.UPGRADING || row.phase == Phase.REMEDIATING) {
                row.phase = row.phase == Phase.REMEDIATING ? Phase.REMEDIATING : Phase.RESTARTING;
                row.detail = "inactive" + (inactive.reason() == null ? "" : " (" + inactive.reason() + ")");
            }
        } else if (event instanceof NodeActive active) {
            if (active.runningVersion() != null) {
                row.version = active.runningVersion();
            }
            if (row.target != null && row.target.equals(active.runningVersion())
                    && row.phase != Phase.DONE && row.phase != Phase.IDLE && row.phase != Phase.WAITING) {
                row.activeOnTarget = true;
                row.phase = Phase.UPGRADING;
                row.detail = "active on " + active.runningVersion();
            }
        } else if (event instanceof NodeUpgraded upgraded) {
            row.phase = Phase.DONE;
            row.version = upgraded.runningVersion();
            row.detail = "";
        }
        return null;
    }

    private Row row(String clusterId, String nodeName) {
        return clusters.computeIfAbsent(clusterId, c -> new LinkedHashMap<>())
                .computeIfAbsent(nodeName, n -> new Row(clusterId, n));
    }

    /** One text line per node, clusters in the order first seen, nodes in plan order once planned. */
    List<String> render() {
        List<String> lines = new ArrayList<>();
        for (Map<String, Row> rows : clusters.values()) {
            for (Row row : rows.values()) {
                lines.add(line(row));
            }
        }
        return lines;
    }

    /** The rendered line of one node, or null if the board has not seen it. */
    String line(String clusterId, String nodeName) {
        Row row = clusters.getOrDefault(clusterId, Map.of()).get(nodeName);
        return row == null ? null : line(row);
    }

    /** How the cluster's rollout ended (completed, HALTED, REJECTED, ABORTED) or null while it runs. */
    String outcome(String clusterId) {
        return clusterOutcome.get(clusterId);
    }

    private static String line(Row row) {
        String version = row.version == null ? "?" : row.version;
        return String.format("%-12s %-5s %s %3d%%  %-10s %-8s %s", row.clusterId, row.nodeName, Text.bar(row.percent()),
                row.percent(), row.phase.label, version, row.detail).stripTrailing();
    }
}
