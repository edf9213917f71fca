package dev.baton.planner.rollout;

import static dev.baton.planner.rollout.EngineHarness.failure;
import static dev.baton.planner.rollout.EngineHarness.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.FailureCode;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutPlanned;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster's hooks: its own commands before a node's first disruptive step and after it is active again. */
class HooksTest {
    private static final ClusterRegistered.Hooks APPS = new ClusterRegistered.Hooks(
            new ClusterRegistered.Hook("sockets-db stop", Duration.ofMinutes(2), null),
            new ClusterRegistered.Hook("sockets-db start", null, null));
    final EngineHarness h = harness();

    EngineHarness harness() {
        return new EngineHarness();
    }

    private void dolphin(ClusterRegistered.Hooks hooks) {
        h.registerAllActive(RolloutEngineTest.dolphin(2).withHooks(hooks), "5.20.0");
    }

    @Test
    void theBeforeHookRunsBeforeTheFirstDisruptiveStepAndTheNodeIsDoneOnlyAfterTheAfterHook() {
        dolphin(APPS);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactly(
                "dx1:build-rpm", "dx1:hook-before-disruption", "dx1:stop-services", "dx1:install", "dx1:hook-after-active",
                "dx2:build-rpm", "dx2:hook-before-disruption", "dx2:stop-services", "dx2:install", "dx2:hook-after-active");
        NodeCommand before = h.commands().get(1);
        assertThat(before.command()).isEqualTo("sockets-db stop");
        assertThat(before.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(h.commands().get(4).timeout()).isEqualTo(ClusterRegistered.Hook.DEFAULT_TIMEOUT);
        // dx1 is upgraded (and dx2 started) only once its applications are back
        List<String> events = h.eventNames();
        assertThat(events.indexOf("NodeUpgraded(dx1)")).isGreaterThan(events.indexOf("NodeCommand(dx1):hook-after-active"));
        assertThat(events.indexOf("NodeUpgradeStarted(dx2)")).isGreaterThan(events.indexOf("NodeUpgraded(dx1)"));
        assertThat(events).endsWith("RolloutCompleted");
    }

    @Test
    void aFailedBeforeHookHaltsBeforeAnythingIsStoppedAndARetryRunsItAgain() {
        dolphin(new ClusterRegistered.Hooks(APPS.beforeDisruption(), null));
        int[] fails = {1};
        h.scripts.put("dx1", c -> c.step().equals("hook-before-disruption") && fails[0]-- > 0
                ? failure(c, FailureCode.EXIT_STATUS.name(), "sockets-db: 3 clients still connected") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.eventNames()).endsWith("RolloutHalted(dx1)");
        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:hook-before-disruption");
        assertThat(h.view().nodes().get(0).note()).contains("3 clients still connected");

        h.control(RolloutControl.Action.RETRY, "dx1");
        h.drive(10);
        assertThat(h.commands()).filteredOn(c -> c.step().equals("hook-before-disruption") && c.nodeName().equals("dx1"))
                .extracting(NodeCommand::attempt).containsExactly(1, 2);
        assertThat(h.eventNames()).endsWith("RolloutCompleted");
    }

    @Test
    void anAfterHookThatMayFailIsNotedAndTheRolloutGoesOn() {
        dolphin(new ClusterRegistered.Hooks(null, new ClusterRegistered.Hook("lb undrain", null, "continue")));
        h.scripts.put("dx1", c -> c.step().equals("hook-after-active")
                ? failure(c, FailureCode.EXIT_STATUS.name(), "lb: backend not found") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.eventNames()).doesNotContain("RolloutHalted(dx1)").endsWith("RolloutCompleted");
        assertThat(h.view().nodes().get(0).note()).contains("hook-after-active hook failed (onFailure: continue");
        assertThat(h.commandOrder()).doesNotContain("dx1:hook-before-disruption");
    }

    @Test
    void theDryRunListsTheHooksWhereTheyRunAndCountsThemInTheEstimate() {
        dolphin(APPS);
        h.request(upgrade("dolphin-lab", "5.21.0").dryRun());

        RolloutPlanned plan = (RolloutPlanned) h.published.get(1);
        assertThat(plan.nodes().get(0).plannedSteps()).extracting(RolloutPlanned.PlannedStep::name).containsExactly(
                "build-rpm", "hook-before-disruption", "stop-services", "install", "hook-after-active");
        // 27 min of steps, 5 of health, 2 + 5 of hooks, two nodes one at a time
        assertThat(plan.estimatedDuration()).isEqualTo(Duration.ofMinutes(78));
        assertThat(h.commands()).isEmpty();
    }
}
