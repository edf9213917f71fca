package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.ClusterRegistered;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The human output of every command, from the services' JSON answers. Pure: text in, text out. */
final class Text {
    static final int BAR_WIDTH = 20;

    private Text() {
    }

    static String cluster(ClusterRegistered cluster) {
        StringBuilder text = new StringBuilder();
        text.append("cluster ").append(cluster.clusterId()).append(" (").append(cluster.product())
                .append(cluster.procedure() == null ? "" : ", procedure " + cluster.procedure()).append(", ")
                .append(cluster.nodes().size()).append(cluster.nodes().size() == 1 ? " node" : " nodes").append(")\n");
        for (ClusterRegistered.Node node : cluster.nodes()) {
            text.append(String.format("  %-12s ssh %s%s:%d%s%s%n", node.name(), node.sshUser() == null ? "" : node.sshUser() + "@",
                    node.sshHost(), node.sshPort(), node.clusterAddress() == null ? "" : "  cluster address " + node.clusterAddress(),
                    node.labels().isEmpty() ? "" : "  " + node.labels()));
        }
        return text.toString();
    }

    static String clusterTable(JsonNode clusters) {
        if (clusters == null || clusters.isEmpty()) {
            return "no cluster registered";
        }
        StringBuilder text = new StringBuilder(String.format("%-20s %-22s %s%n", "CLUSTER", "PRODUCT", "NODES"));
        for (JsonNode c : clusters) {
            List<String> names = new ArrayList<>();
            c.path("nodes").forEach(n -> names.add(n.path("name").asText()));
            text.append(String.format("%-20s %-22s %s%n", c.path("clusterId").asText(), c.path("product").asText(),
                    String.join(", ", names)));
        }
        return text.toString();
    }

    static String health(JsonNode cluster) {
        StringBuilder text = new StringBuilder("cluster " + cluster.path("clusterId").asText() + " ("
                + cluster.path("product").asText() + ")\n");
        if (cluster.hasNonNull("problem")) {
            text.append("  not probed: ").append(cluster.path("problem").asText()).append('\n');
        }
        for (JsonNode n : cluster.path("nodes")) {
            String detail = n.hasNonNull("lastDetail") ? n.path("lastDetail").asText() : n.path("reason").asText("");
            text.append(String.format("  %-12s %-9s %-10s %s", n.path("name").asText(), n.path("state").asText("?"),
                    n.path("runningVersion").asText("?"), detail).stripTrailing()).append('\n');
        }
        return text.toString();
    }

    static String rejection(JsonNode rollout) {
        JsonNode rejection = rollout.path("rejection");
        return "upgrade of " + rollout.path("clusterId").asText() + " to " + rollout.path("targetVersion").asText()
                + " REJECTED: " + rejection.path("code").asText("?") + " " + rejection.path("message").asText("");
    }

    /** A dry run's plan: nodes in the order the procedure demands. */
    static String plan(JsonNode rollout) {
        StringBuilder text = new StringBuilder("plan for " + rollout.path("clusterId").asText() + " -> "
                + rollout.path("targetVersion").asText() + " (dry run: no node touched), in upgrade order:\n");
        int i = 1;
        for (JsonNode n : rollout.path("nodes")) {
            text.append(String.format("  %d. %-12s %-16s %s -> %s%s%n", i++, n.path("nodeName").asText(),
                    n.path("orderingAddress").asText(""), n.path("fromVersion").asText("?"), rollout.path("targetVersion").asText(),
                    "SKIPPED".equals(n.path("state").asText()) ? "  (skipped" + note(n) + ")" : ""));
        }
        explanation(rollout.path("plan"), text);
        text.append("rollout ").append(rollout.path("rolloutId").asText()).append(", request ")
                .append(rollout.path("requestId").asText()).append('\n');
        return text.toString();
    }

    /**
     * The plan's explanation, when the planner gave one: each node's reason and the commands it will get (rendered, with
     * the artifact each builds or has pushed), the guards, and the longest the rollout can take by the time-outs.
     */
    private static void explanation(JsonNode plan, StringBuilder text) {
        if (plan.isMissingNode() || plan.isNull()) {
            return;
        }
        text.append("why, and what each node gets:\n");
        for (JsonNode n : plan.path("nodes")) {
            text.append("  ").append(n.path("nodeName").asText()).append(": ").append(n.path("reason").asText("")).append('\n');
            for (JsonNode step : n.path("plannedSteps")) {
                String command = step.hasNonNull("command") ? step.path("command").asText() : "";
                String artifact = step.hasNonNull("artifact") ? "[" + step.path("artifact").asText() + "]" : "";
                text.append(String.format("      %-18s %-10s %-6s %s", step.path("name").asText(),
                        step.path("disruptive").asBoolean(false) ? "disruptive" : "", step.path("timeout").asText(""),
                        (command + (command.isEmpty() || artifact.isEmpty() ? "" : "  ") + artifact)).stripTrailing())
                        .append('\n');
            }
        }
        if (plan.path("guards").size() > 0) {
            text.append("guards:\n");
            plan.path("guards").forEach(g -> text.append("  - ").append(g.asText()).append('\n'));
        }
        if (plan.hasNonNull("estimatedDuration")) {
            text.append("at most ").append(plan.path("estimatedDuration").asText())
                    .append(" by the procedure's time-outs (an upper bound; retries and the remedy reboot aside)\n");
        }
    }

    static String accepted(JsonNode rollout) {
        return "rollout " + rollout.path("rolloutId").asText() + " accepted: " + rollout.path("clusterId").asText() + " -> "
                + rollout.path("targetVersion").asText() + ", " + rollout.path("nodes").size() + " nodes, state "
                + rollout.path("state").asText() + "\nfollow it with: baton watch " + rollout.path("rolloutId").asText();
    }

    static String headline(JsonNode rollout) {
        String line = "rollout " + rollout.path("rolloutId").asText() + "  " + rollout.path("clusterId").asText() + " -> "
                + rollout.path("targetVersion").asText() + "  " + rollout.path("state").asText()
                + (rollout.path("dryRun").asBoolean(false) ? " (dry run)" : "");
        if (rollout.hasNonNull("waitingFor")) {
            line += "  waiting for: " + rollout.path("waitingFor").asText();
        }
        if (rollout.hasNonNull("blockedBy")) {
            line += "  blocked by: " + rollout.path("blockedBy").asText();
        }
        return line;
    }

    /** Headline, one line per node in plan order, and the rejection if any. */
    static List<String> rolloutLines(JsonNode rollout) {
        List<String> lines = new ArrayList<>();
        lines.add(headline(rollout));
        String target = rollout.path("targetVersion").asText(null);
        for (JsonNode node : rollout.path("nodes")) {
            lines.add(nodeLine(node, target));
        }
        if (rollout.hasNonNull("rejection")) {
            lines.add("  rejected: " + rollout.path("rejection").path("code").asText() + " "
                    + rollout.path("rejection").path("message").asText());
        }
        return lines;
    }

    static String nodeLine(JsonNode node, String target) {
        String state = node.path("state").asText("?");
        int percent = percent(state);
        String version = "DONE".equals(state) && target != null ? target : node.path("fromVersion").asText("?");
        String detail = node.hasNonNull("currentStep") && !"DONE".equals(state) ? "step " + node.path("currentStep").asText() : "";
        String note = node.path("note").asText("");
        if (!note.isEmpty()) {
            detail = detail.isEmpty() ? note : detail + ": " + note;
        }
        return String.format("  %-12s %s %4s  %-15s %-8s %s", node.path("nodeName").asText(), bar(percent),
                percent < 0 ? "" : percent + "%", state, version, detail).stripTrailing();
    }

    /** How far a node is, by its state; -1 for a failed node. */
    static int percent(String state) {
        switch (state) {
            case "PENDING":
            case "DEFERRED":
                return 0;
            case "UPGRADING":
                return 40;
            case "REMEDIATING":
                return 60;
            case "AWAITING_ACTIVE":
                return 80;
            case "DONE":
            case "SKIPPED":
                return 100;
            default:
                return -1;
        }
    }

    static String bar(int percent) {
        if (percent < 0) {
            return "[" + "!".repeat(BAR_WIDTH) + "]";
        }
        int filled = percent * BAR_WIDTH / 100;
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
    }

    static String outcome(JsonNode rollout) {
        String state = rollout.path("state").asText();
        switch (state) {
            case "COMPLETED":
                List<String> skipped = new ArrayList<>();
                rollout.path("nodes").forEach(n -> {
                    if ("SKIPPED".equals(n.path("state").asText()) && n.path("note").asText().contains("skipped by ")) {
                        skipped.add(n.path("nodeName").asText());
                    }
                });
                return "rollout completed: every node runs " + rollout.path("targetVersion").asText()
                        + (skipped.isEmpty() ? "" : " except " + String.join(", ", skipped) + ", skipped by an operator");
            case "REJECTED":
                return rejection(rollout);
            case "PLANNED":
                return "dry run planned; nothing was touched";
            default:
                return "rollout " + state + (rollout.hasNonNull("waitingFor") ? ": " + rollout.path("waitingFor").asText() : "");
        }
    }

    static String rolloutTable(JsonNode rollouts) {
        if (rollouts == null || rollouts.isEmpty()) {
            return "no rollout";
        }
        StringBuilder text = new StringBuilder(String.format("%-38s %-16s %-10s %-10s %-6s %s%n", "ROLLOUT", "CLUSTER",
                "TARGET", "STATE", "DONE", "REQUESTED BY"));
        for (JsonNode r : rollouts) {
            int done = 0;
            for (JsonNode n : r.path("nodes")) {
                done += "DONE".equals(n.path("state").asText()) ? 1 : 0;
            }
            text.append(String.format("%-38s %-16s %-10s %-10s %-6s %s%n", r.path("rolloutId").asText(), r.path("clusterId").asText(),
                    r.path("targetVersion").asText(), r.path("state").asText() + (r.path("dryRun").asBoolean(false) ? "*" : ""),
                    done + "/" + r.path("nodes").size(), r.path("requestedBy").asText("")));
        }
        return text.toString();
    }

    static String auditTable(JsonNode events) {
        if (events == null || events.isEmpty()) {
            return "no stored event matches";
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events) {
            String type = e.path("type").asText("?").replaceFirst("^dev\\.baton\\.", "").replaceFirst("\\.v1$", "");
            String where = e.path("clusterId").asText("") + (e.hasNonNull("nodeName") ? "/" + e.path("nodeName").asText() : "");
            text.append(String.format("%-24s %-26s %-20s %-22s %s", e.path("timestamp").asText(""), type, where,
                    e.path("topic").asText("") + ":" + e.path("offset").asText(""), e.path("actor").asText("")).stripTrailing())
                    .append('\n');
        }
        return text.toString();
    }

    /** The audit service's compliance report of a rollout, in a few lines (the JSON has every detail). */
    static String complianceReport(JsonNode report) {
        JsonNode request = report.path("request");
        JsonNode outcome = report.path("outcome");
        StringBuilder text = new StringBuilder();
        text.append("compliance report of rollout ").append(report.path("rolloutId").asText()).append(" (")
                .append(report.path("clusterId").asText()).append(" -> ").append(request.path("targetVersion").asText("?")).append(")\n");
        text.append("  requested by ").append(request.path("requestedBy").asText("?")).append(", accepted ")
                .append(request.path("acceptedAt").asText("?")).append('\n');
        text.append("  outcome ").append(outcome.path("status").asText("unfinished"))
                .append(outcome.hasNonNull("message") ? ": " + outcome.path("message").asText() : "")
                .append(outcome.hasNonNull("at") ? " (" + outcome.path("at").asText() + ")" : "").append('\n');
        for (JsonNode node : report.path("nodes")) {
            List<String> failed = new ArrayList<>();
            node.path("steps").forEach(s -> {
                if (!"SUCCEEDED".equals(s.path("outcome").asText())) {
                    failed.add(s.path("step").asText() + " " + s.path("outcome").asText()
                            + (s.hasNonNull("errorCode") ? " " + s.path("errorCode").asText() : ""));
                }
            });
            List<String> notes = new ArrayList<>();
            if (!failed.isEmpty()) {
                notes.add(String.join(", ", failed));
            }
            List<String> remedies = remedies(report, node);
            if (!remedies.isEmpty()) {
                notes.add("remedy: " + String.join(", ", remedies));
            }
            text.append(String.format("  %-12s %-8s -> %-8s %-10s %2d steps%s%n", node.path("nodeName").asText(),
                    node.path("versionBefore").asText("?"), node.path("versionAfter").asText("?"), node.path("status").asText("?"),
                    node.path("steps").size(), notes.isEmpty() ? "" : "  (" + String.join("; ", notes) + ")"));
        }
        text.append("  failures ").append(report.path("failures").size()).append(", guards blocked ")
                .append(report.path("guardsBlocked").size()).append(", interruptions ").append(report.path("interruptions").size())
                .append(", mixed-version time ").append(report.path("mixedVersionDuration").asText("none"))
                .append(", ").append(report.path("eventCount").asText("?")).append(" audited events\n");
        return text.toString();
    }

    /** The steps a node ran that its plan did not list (a failure's remedy, e.g. a reboot); empty without a plan. */
    private static List<String> remedies(JsonNode report, JsonNode node) {
        List<String> extra = new ArrayList<>();
        for (JsonNode planned : report.path("plan").path("nodes")) {
            if (planned.path("nodeName").asText().equals(node.path("nodeName").asText())) {
                List<String> plannedSteps = new ArrayList<>();
                planned.path("steps").forEach(step -> plannedSteps.add(step.asText()));
                // the explained plan's steps include the cluster's hooks: planned, not a remedy
                planned.path("plannedSteps").forEach(step -> plannedSteps.add(step.path("name").asText()));
                node.path("steps").forEach(step -> {
                    String name = step.path("step").asText();
                    if (!plannedSteps.contains(name) && !extra.contains(name)) {
                        extra.add(name);
                    }
                });
            }
        }
        return extra;
    }

    /** The audit store's integrity check. */
    static String verification(JsonNode result) {
        boolean ok = result.path("ok").asBoolean(false);
        StringBuilder text = new StringBuilder(ok ? "audit store intact: " : "audit store BROKEN: ");
        text.append(result.path("records").asText("?")).append(" records in ").append(result.path("chains").asText("?"))
                .append(" hash chains, ").append(result.path("checkpoints").asText("0")).append(" signed checkpoints (")
                .append(result.path("trustedCheckpoints").asText("0")).append(" trusted)\n");
        for (JsonNode problem : result.path("problems")) {
            text.append("  ").append(problem.isValueNode() ? problem.asText() : problem.toString()).append('\n');
        }
        return text.toString();
    }

    /** A report's top-level facts, one per line: scalars as they are, lists by size, objects by their scalars. */
    static String report(JsonNode report) {
        if (report == null) {
            return "(empty answer)";
        }
        List<String> lines = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = report.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isValueNode()) {
                lines.add(field.getKey() + ": " + value.asText());
            } else if (value.isArray()) {
                lines.add(field.getKey() + ": " + value.size() + (value.size() == 1 ? " entry" : " entries"));
            } else if (value.isObject()) {
                List<String> inner = new ArrayList<>();
                value.fields().forEachRemaining(f -> {
                    if (f.getValue().isValueNode()) {
                        inner.add(f.getKey() + "=" + f.getValue().asText());
                    }
                });
                lines.add(field.getKey() + ": " + (inner.isEmpty() ? value.size() + " fields" : String.join(", ", inner)));
            }
        }
        return String.join("\n", lines);
    }

    private static String note(JsonNode node) {
        return node.hasNonNull("note") ? ": " + node.path("note").asText() : "";
    }
}
