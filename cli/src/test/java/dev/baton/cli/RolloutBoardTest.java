package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonJson;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.fixtures.NodeCommands;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RolloutBoardTest {
    private static final List<String> STEPS = List.of("build-rpm", "stop-services", "install");

    private final RolloutBoard board = new RolloutBoard();

    @Test
    void nodesAreShownInPlanOrderWithTheirVersionAndAnEmptyBarBeforeTheyStart() {
        board.accept(new NodeActive("dolphin-lab", "dx1", "5.20.0", "b1", Instant.EPOCH, "probe"));
        String line = board.accept(plan("dx2", "dx1"));

        assertThat(line).isEqualTo("plan (inventory): [dx2, dx1]");
        assertThat(board.render()).hasSize(2);
        assertThat(board.render().get(0)).startsWith("dolphin-lab  dx2   [....................]   0%  waiting    5.20.0");
        assertThat(board.render().get(1)).startsWith("dolphin-lab  dx1   [....................]   0%  waiting    5.20.0");
    }

    @Test
    void theBarGrowsWithEachStepAndIsFullOnlyOnceTheNodeIsUpgraded() {
        board.accept(plan("dx1"));
        board.accept(new NodeUpgradeStarted("r1", "dolphin-lab", "dx1", "5.20.0", "5.21.0"));
        assertThat(board.line("dolphin-lab", "dx1")).contains(" 20%  upgrading  5.20.0   5.20.0 -> 5.21.0");

        board.accept(command("dx1", "build-rpm", NodeCommand.Kind.RUN));
        board.accept(new StepSucceeded("c1", "r1", "dolphin-lab", "dx1", "build-rpm", 0, null, null, null));
        assertThat(board.line("dolphin-lab", "dx1")).contains(" 40%").contains("step build-rpm ok");

        board.accept(new StepSucceeded("c2", "r1", "dolphin-lab", "dx1", "stop-services", 0, null, null, null));
        board.accept(new StepSucceeded("c3", "r1", "dolphin-lab", "dx1", "install", 0, null, null, null));
        board.accept(new NodeInactive("dolphin-lab", "dx1", null, "b1", Instant.EPOCH, "services stopped"));
        assertThat(board.line("dolphin-lab", "dx1")).contains(" 80%  restarting").contains("inactive (services stopped)");

        board.accept(new NodeActive("dolphin-lab", "dx1", "5.21.0", "b2", Instant.EPOCH, "probe"));
        assertThat(board.line("dolphin-lab", "dx1")).contains(" 99%").contains("5.21.0");

        board.accept(new NodeUpgraded("r1", "dolphin-lab", "dx1", "5.21.0"));
        assertThat(board.line("dolphin-lab", "dx1"))
                .isEqualTo("dolphin-lab  dx1   [####################] 100%  done       5.21.0");
        assertThat(board.accept(new RolloutCompleted("r1", "dolphin-lab", null, null, null))).isEqualTo("rollout completed");
        assertThat(board.outcome("dolphin-lab")).isEqualTo("completed");
    }

    @Test
    void aFailedStepAndARebootRemedyAreReportedAsTheirOwnLines() {
        board.accept(plan("dx3"));
        board.accept(new NodeUpgradeStarted("r1", "dolphin-lab", "dx3", "5.20.0", "5.21.0"));

        String failed = board.accept(new StepFailed("c2", "r1", "dolphin-lab", "dx3", "stop-services", 1, "[FAILED]",
                "EXIT_STATUS", "exit 1"));
        assertThat(failed).isEqualTo("step stop-services failed on dx3: EXIT_STATUS exit 1");

        String remedy = board.accept(command("dx3", "reboot", NodeCommand.Kind.REBOOT));
        assertThat(remedy).isEqualTo("remedy: rebooting dx3 (reboot)");
        assertThat(board.line("dolphin-lab", "dx3")).contains("remedy").contains("rebooting (reboot)");
    }

    @Test
    void aHaltMarksTheNodeFailedAndTheClusterHalted() {
        board.accept(plan("dx3"));
        board.accept(new NodeUpgradeStarted("r1", "dolphin-lab", "dx3", "5.20.0", "5.21.0"));

        String line = board.accept(new RolloutHalted("r1", "dolphin-lab", "dx3", "STEP_FAILED", "stop-services failed"));

        assertThat(line).isEqualTo("rollout HALTED: STEP_FAILED stop-services failed");
        assertThat(board.line("dolphin-lab", "dx3")).contains("FAILED").contains("STEP_FAILED");
        assertThat(board.outcome("dolphin-lab")).isEqualTo("HALTED");
    }

    @Test
    void barWidthIsFixed() {
        assertThat(Text.bar(0)).isEqualTo("[....................]");
        assertThat(Text.bar(50)).isEqualTo("[##########..........]");
        assertThat(Text.bar(100)).isEqualTo("[####################]");
    }

    @Test
    void demoOptionsAreParsedByPicocliAndAWrongOneIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = BatonCli.commandLine(new BatonCli(Map.of(), false));
        cli.setErr(new PrintWriter(err));
        CommandLine.ParseResult parsed = cli.parseArgs("demo", "--fleet", "my.yaml", "--no-fault", "--timeout", "PT2M");
        DemoCommand demo = (DemoCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(demo.fleet).isEqualTo(Path.of("my.yaml"));
        assertThat(demo.noFault).isTrue();
        assertThat(demo.timeout).isEqualTo(Duration.ofMinutes(2));
        DemoCommand plain = (DemoCommand) cli.parseArgs("demo").subcommand().commandSpec().userObject();
        assertThat(plain.fleet).isNull();
        assertThat(plain.timeout).isEqualTo(Duration.ofMinutes(6));

        assertThat(cli.execute("demo", "--fleat", "x")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("Unknown options: '--fleat'");
        assertThat(cli.execute("demo", "--timeout", "ten")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).contains("--timeout").contains("'ten'");
    }

    @Test
    void aComplianceReportShowsFailedStepsAndTheRemedyTheDemoPrints() throws Exception {
        String text = Text.complianceReport(BatonJson.mapper().readTree("""
                {"rolloutId":"r1","clusterId":"dolphin-lab","request":{"requestedBy":"demo","targetVersion":"5.21.0"},
                 "plan":{"nodes":[{"nodeName":"dx3","steps":["stop-services","install"]}]},
                 "nodes":[{"nodeName":"dx3","versionBefore":"5.20.0","versionAfter":"5.21.0","status":"UPGRADED","steps":[
                   {"step":"stop-services","outcome":"FAILED","errorCode":"EXIT_STATUS"},
                   {"step":"install","outcome":"SUCCEEDED"},{"step":"reboot","outcome":"SUCCEEDED"}]}],
                 "failures":[{}],"guardsBlocked":[],"interruptions":[],"mixedVersionDuration":"PT4.8S","eventCount":62,
                 "outcome":{"status":"COMPLETED","message":"every node runs 5.21.0"}}
                """));
        assertThat(text.lines()).contains("  outcome COMPLETED: every node runs 5.21.0",
                "  dx3          5.20.0   -> 5.21.0   UPGRADED    3 steps  (stop-services FAILED EXIT_STATUS; remedy: reboot)",
                "  failures 1, guards blocked 0, interruptions 0, mixed-version time PT4.8S, 62 audited events");
    }

    private static RolloutPlanned plan(String... nodes) {
        return new RolloutPlanned("r1", "dolphin-lab", "5.21.0", "inventory", 1, false, List.of(nodes).stream()
                .map(n -> new RolloutPlanned.PlannedNode(n, null, "5.20.0", "upgrade", STEPS)).toList());
    }

    private static NodeCommand command(String node, String step, NodeCommand.Kind kind) {
        return NodeCommands.run("dolphin-lab", node, step, "x").rolloutId("r1").kind(kind).disruptive().build();
    }
}
