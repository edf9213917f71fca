package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.UpgradeRequested;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code baton upgrade <cluster> --to <version>}: posts an {@code UpgradeRequested} to the planner
 * (which publishes it on {@code baton.requests.v1}), then shows the planner's answer: the plan in
 * the order the procedure demands for {@code --dry-run}, else the accepted rollout (and, with
 * {@code --watch}, its progress until it ends).
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true, description = "Request a rolling upgrade of a cluster.")
final class UpgradeCommand extends BatonSubcommand {
    @Parameters(index = "0", paramLabel = "CLUSTER", description = "registered cluster id")
    String clusterId;

    @Option(names = "--to", required = true, paramLabel = "VERSION", description = "target version")
    String targetVersion;

    @Option(names = "--dry-run", description = "Plan only: print the node order and steps, touch no node.")
    boolean dryRun;

    @Option(names = "--max-unavailable", paramLabel = "N", description = "nodes out of service at once (default 1)")
    Integer maxUnavailable;

    @Option(names = "--canary", paramLabel = "N", description = "upgrade N nodes first, then pause until 'baton resume'")
    Integer canary;

    @Option(names = "--stop-after", paramLabel = "N", description = "pause after N nodes")
    Integer stopAfter;

    @Option(names = "--delay", paramLabel = "DURATION", description = "wait between nodes, ISO 8601 (e.g. PT30S)")
    String delay;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "nodes to leave out (comma-separated)")
    List<String> exclude = List.of();

    @Option(names = "--force", description = "allow a target that is not newer than the running version")
    boolean force;

    @Option(names = "--allow-offline", description = "plan a complete (offline) update where a rolling one is not allowed")
    boolean allowOffline;

    @Option(names = "--allow-unknown-compatibility",
            description = "roll to a target the procedure's compatibility table has no row for (you checked the release notes)")
    boolean allowUnknownCompatibility;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in the audit trail (default: cli:$USER)")
    String requestedBy;

    @Option(names = "--watch", description = "follow the rollout until it ends (exit 0 only if it completed)")
    boolean watch;

    @Option(names = "--wait", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "how long to wait for the planner's answer (default: ${DEFAULT-VALUE})")
    Duration wait;

    @Override
    public Integer call() throws InterruptedException {
        UpgradeRequested request = request(UUID.randomUUID().toString(), cli().user());
        BatonCli cli = cli();
        cli.planner().post("/api/v1/rollouts", request);
        JsonNode rollout = RolloutCommands.awaitAnswer(cli, request.requestId(), request.clusterId(), dryRun, wait);
        String state = rollout.path("state").asText();
        if ("REJECTED".equals(state)) {
            cli.print(rollout, () -> Text.rejection(rollout));
            return ExitCode.FAILED;
        }
        if (dryRun) {
            cli.print(rollout, () -> Text.plan(rollout));
            return ExitCode.OK;
        }
        if (watch) {
            return RolloutCommands.follow(cli, rollout.path("rolloutId").asText(), Duration.ofSeconds(1), null);
        }
        cli.print(rollout, () -> Text.accepted(rollout));
        return ExitCode.OK;
    }

    /** The request as sent, after the checks a user can fix without asking the planner. */
    UpgradeRequested request(String requestId, String defaultActor) {
        positive("--max-unavailable", maxUnavailable);
        positive("--canary", canary);
        positive("--stop-after", stopAfter);
        Duration delayBetweenNodes = null;
        if (delay != null) {
            try {
                delayBetweenNodes = Duration.parse(delay);
            } catch (DateTimeParseException e) {
                throw new CliException(ExitCode.USAGE, "--delay: '" + delay + "' is not an ISO 8601 duration (e.g. PT30S, PT5M)");
            }
            if (delayBetweenNodes.isNegative()) {
                throw new CliException(ExitCode.USAGE, "--delay must not be negative");
            }
        }
        if (targetVersion.isBlank()) {
            throw new CliException(ExitCode.USAGE, "--to must name a version");
        }
        return new UpgradeRequested(requestId, clusterId, targetVersion.strip(), maxUnavailable, canary, stopAfter,
                delayBetweenNodes, force, allowOffline, exclude, dryRun, requestedBy == null ? defaultActor : requestedBy,
                null, null, allowUnknownCompatibility);
    }

    private static void positive(String option, Integer value) {
        if (value != null && value < 1) {
            throw new CliException(ExitCode.USAGE, option + " must be at least 1, got " + value);
        }
    }
}
