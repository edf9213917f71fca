package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton audit ...}: the audit service's store of every {@code baton.*} message, over its REST API. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Query the audit trail.",
        subcommands = {AuditCommand.Events.class, AuditCommand.Report.class, AuditCommand.Verify.class})
final class AuditCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code NodeUpgraded} is short for {@code dev.baton.NodeUpgraded.v1}; a full type is kept as it is. */
    static String eventType(String type) {
        if (type == null || type.contains(".")) {
            return type;
        }
        return "dev.baton." + type + ".v1";
    }

    @Command(name = "events", mixinStandardHelpOptions = true,
            description = "Stored messages, oldest first (at least one of --rollout, --cluster, --type).")
    static final class Events extends BatonSubcommand {
        @Option(names = "--rollout", paramLabel = "ROLLOUT")
        String rolloutId;

        @Option(names = "--cluster", paramLabel = "CLUSTER")
        String clusterId;

        @Option(names = "--type", paramLabel = "TYPE", description = "event type, e.g. NodeUpgraded or dev.baton.NodeUpgraded.v1")
        String type;

        @Option(names = "--limit", paramLabel = "N", description = "at most N events (service default 1000)")
        Integer limit;

        @Override
        public Integer call() {
            if (rolloutId == null && clusterId == null && type == null) {
                throw new CliException(ExitCode.USAGE, "audit events needs --rollout, --cluster or --type");
            }
            if (limit != null && limit < 1) {
                throw new CliException(ExitCode.USAGE, "--limit must be at least 1, got " + limit);
            }
            JsonNode events = cli().audit().get("/api/v1/audit/events",
                    BatonApi.query("rolloutId", rolloutId, "clusterId", clusterId, "type", eventType(type), "limit", limit));
            cli().print(events, () -> Text.auditTable(events));
            return ExitCode.OK;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "The compliance report of one rollout.")
    static final class Report extends BatonSubcommand {
        @Parameters(index = "0", paramLabel = "ROLLOUT")
        String rolloutId;

        @Override
        public Integer call() {
            JsonNode report = cli().audit().get("/api/v1/audit/rollouts/" + BatonApi.segment(rolloutId) + "/report");
            cli().print(report, () -> report.has("nodes") && report.has("outcome") ? Text.complianceReport(report) : Text.report(report));
            return ExitCode.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the audit store's integrity (hash chain); exit 1 if it is broken.")
    static final class Verify extends BatonSubcommand {
        @Option(names = "--cluster", paramLabel = "CLUSTER", description = "only this cluster's chain")
        String clusterId;

        @Override
        public Integer call() {
            JsonNode result = cli().audit().get("/api/v1/audit/verify", BatonApi.query("clusterId", clusterId));
            if (result == null || !result.has("ok")) {
                throw new CliException(ExitCode.UNAVAILABLE, "the audit service's verify answer has no 'ok' field: " + result);
            }
            cli().print(result, () -> Text.verification(result));
            return result.path("ok").asBoolean(false) ? ExitCode.OK : ExitCode.FAILED;
        }
    }
}
