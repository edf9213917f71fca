package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.FailureCode;
import dev.baton.fixtures.NodeCommands;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void everyErrorCodeIsTheContractCodeOfTheSameName() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(code.code()).isEqualTo(FailureCode.valueOf(code.name()));
            assertThat(code.meaning()).isNotBlank();
        }
        assertThat(new StepOutcome.Failed(ErrorCode.EXIT_STATUS, "exit 1").toEvent(
                NodeCommands.run("c1", "dx1", "install", "true").build()))
                .extracting("errorCode").isEqualTo("EXIT_STATUS");
    }
}
