package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import org.junit.jupiter.api.Test;

class TextTest {
    private static final String DRY_RUN = """
            {"rolloutId":"r-1","requestId":"q-1","clusterId":"matrix-prod","targetVersion":"3.5.1","state":"PLANNED",
             "dryRun":true,"requestedBy":"cli:alice","nodes":[
              {"nodeName":"srv4","orderingAddress":"10.10.1.10","fromVersion":"3.5.0","state":"PENDING"},
              {"nodeName":"srv5","orderingAddress":"10.10.1.9","fromVersion":"3.5.0","state":"PENDING"},
              {"nodeName":"srv1","orderingAddress":"10.10.1.1","fromVersion":"3.5.0","state":"SKIPPED","note":"excluded"}]}
            """;

    @Test
    void aDryRunPlanListsTheNodesInPlanOrderNumbered() throws Exception {
        String plan = Text.plan(json(DRY_RUN));

        assertThat(plan.lines()).containsExactly(
                "plan for matrix-prod -> 3.5.1 (dry run: no node touched), in upgrade order:",
                "  1. srv4         10.10.1.10       3.5.0 -> 3.5.1",
                "  2. srv5         10.10.1.9        3.5.0 -> 3.5.1",
                "  3. srv1         10.10.1.1        3.5.0 -> 3.5.1  (skipped: excluded)",
                "rollout r-1, request q-1");
    }

    @Test
    void aDryRunPlanExplainsEachNodeItsCommandsTheGuardsAndTheLongestItCanTake() throws Exception {
        String explained = DRY_RUN.replace("\"requestedBy\":\"cli:alice\",", """
                "requestedBy":"cli:alice","plan":{"guards":["at most 1 node(s) unavailable at once"],
                 "estimatedDuration":"PT1H4M","nodes":[
                  {"nodeName":"srv4","reason":"1st of 2 to upgrade by membership address","plannedSteps":[
                    {"name":"stop-server","command":"pmxs stop","timeout":"PT5M","disruptive":true},
                    {"name":"install","timeout":"PT15M","disruptive":false,"artifact":"push x86_64/rhel-9/3.5.1 built on srv5"}]},
                  {"nodeName":"srv1","reason":"excluded by the request","plannedSteps":[]}]},
                """);
        String plan = Text.plan(json(explained));

        assertThat(plan.lines()).containsSequence(
                "  3. srv1         10.10.1.1        3.5.0 -> 3.5.1  (skipped: excluded)",
                "why, and what each node gets:",
                "  srv4: 1st of 2 to upgrade by membership address",
                "      stop-server        disruptive PT5M   pmxs stop",
                "      install                       PT15M  [push x86_64/rhel-9/3.5.1 built on srv5]",
                "  srv1: excluded by the request",
                "guards:",
                "  - at most 1 node(s) unavailable at once",
                "at most PT1H4M by the procedure's time-outs (an upper bound; retries and the remedy reboot aside)",
                "rollout r-1, request q-1");
    }

    @Test
    void theComplianceReportCallsTheClustersHooksPlannedStepsAndOnlyAnUnplannedRebootARemedy() throws Exception {
        JsonNode report = json("""
                {"clusterId":"dolphin-lab","request":{"targetVersion":"5.21.0","requestedBy":"ops"},
                 "outcome":{"status":"COMPLETED"},
                 "plan":{"nodes":[{"nodeName":"dx1","steps":["stop-services","install"],"plannedSteps":[
                   {"name":"hook-before-disruption"},{"name":"stop-services"},{"name":"install"},{"name":"hook-after-active"}]}]},
                 "nodes":[{"nodeName":"dx1","versionBefore":"5.20.0","versionAfter":"5.21.0","status":"UPGRADED","steps":[
                   {"step":"hook-before-disruption","outcome":"SUCCEEDED"},{"step":"stop-services","outcome":"FAILED",
                    "errorCode":"EXIT_STATUS"},{"step":"install","outcome":"SUCCEEDED"},{"step":"reboot","outcome":"SUCCEEDED"},
                   {"step":"hook-after-active","outcome":"SUCCEEDED"}]}]}
                """);

        assertThat(Text.complianceReport(report)).contains("5 steps  (stop-services FAILED EXIT_STATUS; remedy: reboot)\n");
    }

    @Test
    void aNodeLineShowsStateVersionProgressAndStep() throws Exception {
        JsonNode node = json("{\"nodeName\":\"dx3\",\"fromVersion\":\"5.20.0\",\"state\":\"REMEDIATING\","
                + "\"currentStep\":\"reboot\",\"note\":\"services would not stop\"}");

        assertThat(Text.nodeLine(node, "5.21.0"))
                .isEqualTo("  dx3          [############........]  60%  REMEDIATING     5.20.0   step reboot: services would not stop");
        assertThat(Text.nodeLine(json("{\"nodeName\":\"dx1\",\"fromVersion\":\"5.20.0\",\"state\":\"DONE\"}"), "5.21.0"))
                .isEqualTo("  dx1          [####################] 100%  DONE            5.21.0");
        assertThat(Text.nodeLine(json("{\"nodeName\":\"dx2\",\"fromVersion\":\"5.20.0\",\"state\":\"FAILED\"}"), "5.21.0"))
                .startsWith("  dx2          [!!!!!!!!!!!!!!!!!!!!]       FAILED");
    }

    @Test
    void theRolloutTableCountsDoneNodesAndMarksDryRuns() throws Exception {
        String table = Text.rolloutTable(json("[" + DRY_RUN + "]"));

        assertThat(table.lines()).hasSize(2);
        assertThat(table.lines().skip(1).findFirst().orElseThrow())
                .matches("r-1 +matrix-prod +3\\.5\\.1 +PLANNED\\* +0/3 +cli:alice");
    }

    @Test
    void aRejectionSaysCodeAndReason() throws Exception {
        JsonNode rejected = json("{\"clusterId\":\"c\",\"targetVersion\":\"9\",\"state\":\"REJECTED\","
                + "\"rejection\":{\"code\":\"NO_ROLLING_PATH\",\"message\":\"5.20.0 cannot roll to 9\"}}");
        assertThat(Text.outcome(rejected)).isEqualTo("upgrade of c to 9 REJECTED: NO_ROLLING_PATH 5.20.0 cannot roll to 9");
    }

    @Test
    void auditTypesMayBeShortened() {
        assertThat(AuditCommand.eventType("NodeUpgraded")).isEqualTo("dev.baton.NodeUpgraded.v1");
        assertThat(AuditCommand.eventType("dev.baton.NodeUpgraded.v1")).isEqualTo("dev.baton.NodeUpgraded.v1");
    }

    private static JsonNode json(String text) throws Exception {
        return BatonJson.mapper().readTree(text);
    }
}
