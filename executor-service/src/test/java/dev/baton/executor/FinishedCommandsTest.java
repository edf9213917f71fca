package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepSucceeded;
import org.junit.jupiter.api.Test;

class FinishedCommandsTest {

    private static StepSucceeded succeeded(String commandId) {
        return new StepSucceeded(commandId, "r1", "dolphin-lab", "dx1", "status", 0, "ok", null, null);
    }

    @Test
    void aFinishedCommandIsRecognisedWithItsResult() {
        FinishedCommands finished = new FinishedCommands();
        StepFailed failed = new StepFailed("c2", "r1", "dolphin-lab", "dx1", "stop", 3, "", "EXIT_STATUS", "exit 3");

        finished.record("c1", succeeded("c1"));
        finished.record("c2", failed);

        assertThat(finished.resultOf("c1")).contains(succeeded("c1"));
        assertThat(finished.resultOf("c2")).contains(failed);
        assertThat(finished.resultOf("c3")).isEmpty();
        assertThat(finished.resultOf(null)).isEmpty();
    }

    @Test
    void forgetsTheOldestBeyondItsCapacity() {
        FinishedCommands finished = new FinishedCommands(2);

        finished.record("c1", succeeded("c1"));
        finished.record("c2", succeeded("c2"));
        finished.record("c3", succeeded("c3"));

        assertThat(finished.size()).isEqualTo(2);
        assertThat(finished.resultOf("c1")).isEmpty();
        assertThat(finished.resultOf("c3")).isPresent();
    }

    @Test
    void aCommandWithoutIdIsNotRecorded() {
        FinishedCommands finished = new FinishedCommands();

        finished.record(null, succeeded(null));

        assertThat(finished.size()).isZero();
    }
}
