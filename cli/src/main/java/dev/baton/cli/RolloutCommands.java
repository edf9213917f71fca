package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.baton.contracts.BatonJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Commands about rollouts, all through the planner's REST API: {@code status}, {@code watch}, and
 * the controls {@code pause|resume|abort|release} (the planner publishes them as
 * {@code RolloutControl} on {@code baton.requests.v1}).
 */
final class RolloutCommands {
    static final Set<String> FINISHED = Set.of("COMPLETED", "HALTED", "ABORTED", "REJECTED");

    private RolloutCommands() {
    }

    /** Waits for the planner's answer to a request: the rollout it became (for a dry run: once planned). */
    static JsonNode awaitAnswer(BatonCli cli, String requestId, String clusterId, boolean dryRun, Duration wait)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            JsonNode list = cli.planner().get("/api/v1/rollouts", BatonApi.query("requestId", requestId));
            for (JsonNode rollout : list) {
                if (requestId.equals(rollout.path("requestId").asText())) {
                    String state = rollout.path("state").asText();
                    if (!dryRun || "PLANNED".equals(state) || FINISHED.contains(state)) {
                        return rollout;
                    }
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliException(ExitCode.TIMEOUT, "the planner has not answered request " + requestId + " within "
                        + wait.toSeconds() + " s; look later with 'baton status --cluster " + clusterId + "'");
            }
            Thread.sleep(250);
        }
    }

    /** Polls a rollout and shows its progress until it ends; the exit code says how it ended. */
    static int follow(BatonCli cli, String rolloutId, Duration interval, Duration timeout) throws InterruptedException {
        PrintWriter out = cli.out();
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        Map<String, String> printed = new HashMap<>();
        String lastState = null;
        LiveFrame frame = new LiveFrame(out, cli.width());
        while (true) {
            JsonNode rollout = cli.planner().get("/api/v1/rollouts/" + BatonApi.segment(rolloutId));
            String state = rollout.path("state").asText();
            if (cli.output() == BatonCli.Format.json) {
                String line = BatonJson.mapper().valueToTree(rollout).toString();
                if (!line.equals(printed.put("json", line))) {
                    out.println(line);
                }
            } else if (cli.terminal()) {
                frame.draw(Text.rolloutLines(rollout));
            } else {
                if (!state.equals(lastState)) {
                    out.println(Text.headline(rollout));
                }
                for (JsonNode node : rollout.path("nodes")) {
                    String line = Text.nodeLine(node, rollout.path("targetVersion").asText(null));
                    if (!line.equals(printed.put(node.path("nodeName").asText(), line))) {
                        out.println(line);
                    }
                }
            }
            out.flush();
            lastState = state;
            boolean dryRunPlanned = "PLANNED".equals(state) && rollout.path("dryRun").asBoolean(false);
            if (FINISHED.contains(state) || dryRunPlanned) {
                if (cli.output() == BatonCli.Format.human) {
                    out.println(Text.outcome(rollout));
                    out.flush();
                }
                return "COMPLETED".equals(state) || dryRunPlanned ? ExitCode.OK : ExitCode.FAILED;
            }
            if (deadline != null && Instant.now().isAfter(deadline)) {
                throw new CliException(ExitCode.TIMEOUT, "rollout " + rolloutId + " is still " + state + " after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(Math.max(100, interval.toMillis()));
        }
    }

    /** The rollout a command means: the id given, else the cluster's newest, else the only one not finished. */
    static String resolve(BatonCli cli, String rolloutId, String clusterId) {
        if (rolloutId != null) {
            return rolloutId;
        }
        JsonNode list = cli.planner().get("/api/v1/rollouts", BatonApi.query("clusterId", clusterId));
        List<JsonNode> candidates = new ArrayList<>();
        list.forEach(r -> {
            if (clusterId == null ? !FINISHED.contains(r.path("state").asText()) : clusterId.equals(r.path("clusterId").asText())) {
                candidates.add(r);
            }
        });
        if (clusterId != null && !candidates.isEmpty()) {
            candidates.sort((a, b) -> b.path("requestedAt").asText("").compareTo(a.path("requestedAt").asText("")));
            return candidates.get(0).path("rolloutId").asText();
        }
        if (candidates.size() == 1) {
            return candidates.get(0).path("rolloutId").asText();
        }
        if (candidates.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, clusterId == null ? "no rollout is running; name one (see 'baton status')"
                    : "cluster " + clusterId + " has no rollout");
        }
        throw new CliException(ExitCode.USAGE, candidates.size() + " rollouts are running ("
                + String.join(", ", candidates.stream().map(r -> r.path("rolloutId").asText() + " " + r.path("clusterId").asText())
                        .toList())
                + "); name one or use --cluster");
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show one rollout (state, plan, every node) or list rollouts.")
    static final class Status extends BatonSubcommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ROLLOUT", description = "rollout id (none: list)")
        String rolloutId;

        @Option(names = "--cluster", paramLabel = "CLUSTER", description = "only this cluster's rollouts")
        String clusterId;

        @Override
        public Integer call() {
            BatonCli cli = cli();
            if (rolloutId != null) {
                JsonNode rollout = cli.planner().get("/api/v1/rollouts/" + BatonApi.segment(rolloutId));
                cli.print(rollout, () -> String.join("\n", Text.rolloutLines(rollout)));
                return ExitCode.OK;
            }
            JsonNode list = cli.planner().get("/api/v1/rollouts", BatonApi.query("clusterId", clusterId));
            ArrayNode filtered = BatonJson.mapper().createArrayNode();
            list.forEach(r -> {
                if (clusterId == null || clusterId.equals(r.path("clusterId").asText())) {
                    filtered.add(r);
                }
            });
            cli.print(filtered, () -> Text.rolloutTable(filtered));
            return ExitCode.OK;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Follow a rollout until it ends: a line per node (state, version, progress bar).",
                    "Exit 0 if it completed, 1 if it halted, was aborted or rejected. With -o json: one JSON line per change."})
    static final class Watch extends BatonSubcommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ROLLOUT",
                description = "rollout id (default: the cluster's newest, or the only one running)")
        String rolloutId;

        @Option(names = "--cluster", paramLabel = "CLUSTER")
        String clusterId;

        @Option(names = "--interval", defaultValue = "PT1S", paramLabel = "DURATION",
                description = "poll interval (default: ${DEFAULT-VALUE})")
        Duration interval;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "give up after this long (exit 6)")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            return follow(cli(), resolve(cli(), rolloutId, clusterId), interval, timeout);
        }
    }

    /** Shared body of pause, resume and abort. */
    abstract static class Control extends BatonSubcommand {
        @Parameters(index = "0", paramLabel = "ROLLOUT", description = "rollout id")
        String rolloutId;

        abstract String action();

        @Override
        public Integer call() {
            JsonNode answer = cli().planner().post("/api/v1/rollouts/" + BatonApi.segment(rolloutId) + "/" + action(), null);
            cli().print(answer == null ? BatonJson.mapper().createObjectNode().put("rolloutId", rolloutId).put("action", action()) : answer,
                    () -> action() + " requested for rollout " + rolloutId + " (RolloutControl on baton.requests.v1)");
            return ExitCode.OK;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a rollout after the node in progress.")
    static final class Pause extends Control {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused rollout (also after a canary).")
    static final class Resume extends Control {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Abort a rollout: no further node is started.")
    static final class Abort extends Control {
        @Override
        String action() {
            return "abort";
        }
    }

    /** Shared body of release, retry and skip: an action on one node of a rollout. */
    abstract static class NodeControl extends BatonSubcommand {
        @Parameters(index = "0", paramLabel = "ROLLOUT")
        String rolloutId;

        @Parameters(index = "1", paramLabel = "NODE")
        String nodeName;

        abstract String action();

        /** The query string of the request, empty or starting with '?'. */
        String query() {
            return "";
        }

        @Override
        public Integer call() {
            JsonNode answer = cli().planner().post("/api/v1/rollouts/" + BatonApi.segment(rolloutId) + "/nodes/"
                    + BatonApi.segment(nodeName) + "/" + action() + query(), null);
            cli().print(answer == null ? BatonJson.mapper().createObjectNode().put("rolloutId", rolloutId).put("nodeName", nodeName)
                    .put("action", action()) : answer, () -> action() + " of " + nodeName + " requested for rollout " + rolloutId
                    + " (RolloutControl on baton.requests.v1)");
            return ExitCode.OK;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release a node the rollout is holding (e.g. after a manual fix), so it can go on.")
    static final class Release extends NodeControl {
        @Override
        String action() {
            return "release";
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = {"Run a failed node again as a new attempt, from the step it failed in (or from its first step"
                    + " with --from-start), e.g. once the fault is gone. A halted rollout goes on."})
    static final class Retry extends NodeControl {
        @Option(names = "--from-start", description = "run every step of the node again, not only from the failed one")
        boolean fromStart;

        @Override
        String action() {
            return "retry";
        }

        @Override
        String query() {
            return fromStart ? "?fromStart=true" : "";
        }
    }

    @Command(name = "skip", mixinStandardHelpOptions = true,
            description = {"Leave a node out (one not started yet, or a failed one): the rollout can complete without it,"
                    + " and lists it as skipped. A halted rollout goes on."})
    static final class Skip extends NodeControl {
        @Override
        String action() {
            return "skip";
        }
    }
}
