package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code baton rollback ROLLOUT}: asks the planner to roll a finished rollout back ({@code POST
 * /api/v1/rollouts/{id}/rollback}, which it publishes as {@code RolloutControl} rollback on {@code baton.requests.v1}):
 * a new rollout taking the nodes that rollout upgraded back to the versions they came from. It always plans it as a
 * dry run first and prints that plan; with {@code --yes} it then starts it (and with {@code --watch} follows it).
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Roll a finished rollout (completed, halted or aborted) back: a new rollout taking the nodes it "
                + "upgraded back to the versions they came from, with the same budget and guards, forced where that is a "
                + "downgrade. Shows the dry-run plan first; --yes then starts it. Rolling a halted rollout back aborts it."})
final class RollbackCommand extends BatonSubcommand {
    @Parameters(index = "0", paramLabel = "ROLLOUT", description = "the rollout to roll back")
    String rolloutId;

    @Option(names = {"--yes", "-y"}, description = "after the dry run, start the rollback")
    boolean yes;

    @Option(names = "--watch", description = "with --yes: follow the rollback until it ends (exit 0 only if it completed)")
    boolean watch;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "recorded in the audit trail (default: cli:$USER)")
    String requestedBy;

    @Option(names = "--wait", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "how long to wait for the planner's answer (default: ${DEFAULT-VALUE})")
    Duration wait;

    @Override
    public Integer call() throws InterruptedException {
        if (watch && !yes) {
            throw new CliException(ExitCode.USAGE, "--watch follows a rollback that runs: add --yes");
        }
        BatonCli cli = cli();
        String actor = requestedBy == null ? cli.user() : requestedBy;
        JsonNode plan = ask(cli, true, actor);
        if ("REJECTED".equals(plan.path("state").asText())) {
            cli.print(plan, () -> rejection(plan));
            return ExitCode.FAILED;
        }
        cli.print(plan, () -> "rollback of " + rolloutId + ": " + Text.plan(plan) + (yes ? ""
                : "nothing was touched; to start it: baton rollback " + rolloutId + " --yes"));
        if (!yes) {
            return ExitCode.OK;
        }
        JsonNode rollout = ask(cli, false, actor);
        if ("REJECTED".equals(rollout.path("state").asText())) {
            cli.print(rollout, () -> rejection(rollout));
            return ExitCode.FAILED;
        }
        if (watch) {
            return RolloutCommands.follow(cli, rollout.path("rolloutId").asText(), Duration.ofSeconds(1), null);
        }
        cli.print(rollout, () -> "rollback of " + rolloutId + ": " + Text.accepted(rollout));
        return ExitCode.OK;
    }

    /** Posts the rollback (a dry run or not) and waits for the rollout it became. */
    private JsonNode ask(BatonCli cli, boolean dryRun, String actor) throws InterruptedException {
        JsonNode answer = cli.planner().post("/api/v1/rollouts/" + BatonApi.segment(rolloutId) + "/rollback?dryRun=" + dryRun
                + "&requestedBy=" + BatonApi.segment(actor), null);
        if (answer == null || !answer.hasNonNull("requestId")) {
            throw new CliException(ExitCode.UNAVAILABLE, "the planner accepted the rollback of " + rolloutId
                    + " without naming its request id; look with 'baton status'");
        }
        return RolloutCommands.awaitAnswer(cli, answer.get("requestId").asText(), answer.path("clusterId").asText(), dryRun,
                wait);
    }

    private String rejection(JsonNode rollout) {
        JsonNode rejection = rollout.path("rejection");
        return "rollback of " + rolloutId + " REJECTED: " + rejection.path("code").asText("?") + " "
                + rejection.path("message").asText("");
    }
}
