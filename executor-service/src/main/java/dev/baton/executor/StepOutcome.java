package dev.baton.executor;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepSucceeded;
import dev.baton.executor.ssh.OutputTail;

/** How a step ended; becomes the StepSucceeded or StepFailed published on {@code baton.results.v1}. */
public sealed interface StepOutcome {

    /** The result event for {@code command}, with its identifying fields copied. */
    StepResult toEvent(NodeCommand command);

    /** A short word for the log: {@code SUCCEEDED} or the error code. */
    String label();

    /** The step did what it should; {@code output} is at most 4 KiB. */
    record Succeeded(Integer exitCode, String output) implements StepOutcome {
        public Succeeded {
            output = OutputTail.of(output);
        }

        @Override
        public StepResult toEvent(NodeCommand c) {
            return new StepSucceeded(c.commandId(), c.rolloutId(), c.clusterId(), c.nodeName(), c.step(),
                    exitCode, output, null, null);
        }

        @Override
        public String label() {
            return "SUCCEEDED";
        }
    }

    /** The step failed; {@code message} says what went wrong and, where it helps, what to do. */
    record Failed(ErrorCode errorCode, String message, Integer exitCode, String output) implements StepOutcome {
        public Failed {
            output = OutputTail.of(output);
        }

        public Failed(ErrorCode errorCode, String message) {
            this(errorCode, message, null, null);
        }

        @Override
        public StepResult toEvent(NodeCommand c) {
            return new StepFailed(c.commandId(), c.rolloutId(), c.clusterId(), c.nodeName(), c.step(),
                    exitCode, output, errorCode.code().name(), message);
        }

        @Override
        public String label() {
            return errorCode.name();
        }
    }
}
