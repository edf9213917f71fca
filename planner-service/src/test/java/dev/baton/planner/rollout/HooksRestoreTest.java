package dev.baton.planner.rollout;

/** Every scenario of {@link HooksTest} again, the engine restoring its state from the snapshot after each decision. */
class HooksRestoreTest extends HooksTest {
    @Override
    EngineHarness harness() {
        return new EngineHarness().restoringAfterEachDecision();
    }
}
