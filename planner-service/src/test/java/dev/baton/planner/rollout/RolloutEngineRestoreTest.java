package dev.baton.planner.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonJson;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Every scenario of {@link RolloutEngineTest} again, with the engine restoring its state from the snapshot's JSON
 * after each decision (what a planner taking a cluster over does): the same actions in the same order. Plus the node
 * format written before {@link NodePhase} existed, which a take-over may still find on the state topic.
 */
class RolloutEngineRestoreTest extends RolloutEngineTest {
    @Override
    EngineHarness harness() {
        return new EngineHarness().restoringAfterEachDecision();
    }

    @Test
    void aNodeInTheFormatBeforeNodePhaseIsRead() throws IOException {
        String node = "{\"node\": {\"name\": \"dx1\", \"sshHost\": \"h1\", \"sshPort\": 22, \"sshUser\": \"root\"},"
                + " \"state\": \"%s\", \"note\": \"%s\", \"stepIndex\": 2, \"attempt\": 1, \"currentCommandId\": %s,"
                + " \"pending\": %s, \"currentStep\": \"install\", \"retryAt\": %s, \"waitingForArtifact\": %s,"
                + " \"rebootRequired\": %s, \"rebooted\": false, \"remedied\": %s, \"released\": %s,"
                + " \"deferredStopped\": %s}";
        assertThat(read(node, "UPGRADING", "x", "\"c1\"", "\"STEP\"", null, false, true, false, false, false))
                .satisfies(n -> {
                    assertThat(n.phase()).isEqualTo(NodePhase.RUNNING_STEP);
                    assertThat(n.afterLastStep).isEqualTo(NodeProgress.AfterLastStep.REBOOT);
                    assertThat(n.currentCommandId).isEqualTo("c1");
                });
        assertThat(read(node, "UPGRADING", "x", null, "\"REBOOT\"", null, false, false, false, false, false).phase())
                .isEqualTo(NodePhase.RUNNING_STEP);
        assertThat(read(node, "UPGRADING", "x", "\"c1\"", "\"REBOOT\"", null, false, false, false, false, false).phase())
                .isEqualTo(NodePhase.REBOOTING);
        assertThat(read(node, "UPGRADING", "x", null, null, "\"2026-01-01T00:00:00Z\"", false, false, false, false,
                false).phase()).isEqualTo(NodePhase.RETRY_WAIT);
        assertThat(read(node, "UPGRADING", "x", null, null, null, true, false, false, false, false).phase())
                .isEqualTo(NodePhase.WAITING_FOR_ARTIFACT);
        assertThat(read(node, "AWAITING_ACTIVE", "x", null, null, null, false, false, true, false, false).phase())
                .isEqualTo(NodePhase.AWAITING_ACTIVE_AFTER_REMEDY);
        assertThat(read(node, "FAILED", "x", null, null, null, false, false, false, true, false).phase())
                .isEqualTo(NodePhase.RELEASED);
        assertThat(read(node, "DEFERRED", "x", null, null, null, false, false, false, false, true).phase())
                .isEqualTo(NodePhase.DEFERRED_STOPPED);
        assertThat(read(node, "SKIPPED", "excluded", null, null, null, false, false, false, false, false).phase())
                .isEqualTo(NodePhase.SKIPPED_EXCLUDED);
        assertThat(read(node, "SKIPPED", "already-on-target", null, null, null, false, false, false, false, false)
                .phase()).isEqualTo(NodePhase.SKIPPED_ON_TARGET);
    }

    private static NodeProgress read(String template, Object... values) throws IOException {
        return BatonJson.mapper().readValue(String.format(template, values), NodeProgress.class);
    }
}
