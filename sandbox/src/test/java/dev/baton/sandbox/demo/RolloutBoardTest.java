package dev.baton.sandbox.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.BatonJson;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

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
        assertThat(RolloutBoard.bar(0)).isEqualTo("[....................]");
        assertThat(RolloutBoard.bar(50)).isEqualTo("[##########..........]");
        assertThat(RolloutBoard.bar(100)).isEqualTo("[####################]");
    }

    @Test
    void demoOptionsAreParsedAndAWrongOneIsNamed() {
        Demo.Options options = Demo.Options.parse("--fleet", "my.yaml", "--no-fault", "--timeout", "PT2M");
        assertThat(options.fleet()).isEqualTo(Path.of("my.yaml"));
        assertThat(options.noFault()).isTrue();
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(Demo.Options.parse().fleet()).isNull();

        assertThatThrownBy(() -> Demo.Options.parse("--fleat", "x")).hasMessageStartingWith("unknown argument '--fleat'");
        assertThatThrownBy(() -> Demo.Options.parse("--timeout", "ten")).hasMessageContaining("--timeout: 'ten'");
    }

    @Test
    void aComplianceReportIsSummarisedWithFailedStepsAndRemedies() throws Exception {
        List<String> lines = Demo.summarizeReport(BatonJson.mapper().readTree("""
                {"rolloutId":"r1","request":{"requestedBy":"demo"},
                 "plan":{"nodes":[{"nodeName":"dx3","steps":["stop-services","install"]}]},
                 "nodes":[{"nodeName":"dx3","versionBefore":"5.20.0","versionAfter":"5.21.0","status":"UPGRADED","steps":[
                   {"step":"stop-services","outcome":"FAILED","errorCode":"EXIT_STATUS"},
                   {"step":"install","outcome":"SUCCEEDED"},{"step":"reboot","outcome":"SUCCEEDED"}]}],
                 "failures":[{}],"guardsBlocked":[],"mixedVersionDuration":"PT4.8S","eventCount":62,
                 "outcome":{"status":"COMPLETED","message":"every node runs 5.21.0"}}
                """));
        assertThat(lines).containsExactly("outcome COMPLETED: every node runs 5.21.0, requested by demo",
                "dx3    5.20.0 -> 5.21.0 UPGRADED, failed: stop-services FAILED EXIT_STATUS, remedy: reboot",
                "1 failure(s), 0 guard block(s), mixed versions for PT4.8S, 62 audited events");
    }

    private static RolloutPlanned plan(String... nodes) {
        return new RolloutPlanned("r1", "dolphin-lab", "5.21.0", "inventory", 1, false, List.of(nodes).stream()
                .map(n -> new RolloutPlanned.PlannedNode(n, null, "5.20.0", "upgrade", STEPS)).toList());
    }

    private static NodeCommand command(String node, String step, NodeCommand.Kind kind) {
        return new NodeCommand("c-" + step, "r1", "dolphin-lab", node, step, kind, "x", new SshTarget("127.0.0.1", 22, "root"),
                Duration.ofMinutes(1), true, 1, 1);
    }
}
