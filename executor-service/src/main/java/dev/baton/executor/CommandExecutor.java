package dev.baton.executor;

import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import dev.baton.messaging.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out one {@link NodeCommand} from {@code baton.commands.v1} and reports on {@code baton.results.v1}:
 * StepStarted, then StepSucceeded or StepFailed, each caused by the command's CloudEvents id and on behalf of
 * its actor. A command this process already finished is not run again; its recorded result is republished.
 */
@ApplicationScoped
public class CommandExecutor {
    private static final Logger LOG = Logger.getLogger(CommandExecutor.class);

    private final StepRunner runner;
    private final FinishedCommands finished;
    private final EventPublisher publisher;

    public CommandExecutor(StepRunner runner, FinishedCommands finished, EventPublisher publisher) {
        this.runner = runner;
        this.finished = finished;
        this.publisher = publisher;
    }

    /** Runs the command (or answers a redelivery) and publishes the results. */
    public void execute(NodeCommand command, EventEnvelope envelope) {
        String actor = envelope.actor();
        String causationId = envelope.id();
        Optional<StepResult> earlier = finished.resultOf(command.commandId());
        if (earlier.isPresent()) {
            LOG.infof("step %s on %s/%s: command %s already finished here (%s); republishing its result, not running again",
                    command.step(), command.clusterId(), command.nodeName(), command.commandId(),
                    earlier.get().getClass().getSimpleName());
            publisher.publish(earlier.get(), actor, causationId);
            return;
        }
        long start = System.nanoTime();
        LOG.infof("step %s on %s/%s started: %s command %s", command.step(), command.clusterId(), command.nodeName(),
                command.kind(), command.commandId());
        publisher.publish(new StepStarted(command.commandId(), command.rolloutId(), command.clusterId(),
                command.nodeName(), command.step(), null, null, null, null), actor, causationId);
        StepOutcome outcome = outcomeOf(command);
        StepResult result = outcome.toEvent(command);
        finished.record(command.commandId(), result);
        publisher.publish(result, actor, causationId);
        LOG.infof("step %s on %s/%s finished: %s in %d ms", command.step(), command.clusterId(), command.nodeName(),
                outcome.label(), (System.nanoTime() - start) / 1_000_000);
    }

    private StepOutcome outcomeOf(NodeCommand command) {
        try {
            return runner.run(command);
        } catch (RuntimeException e) {
            LOG.errorf(e, "step %s on %s/%s: unexpected executor failure", command.step(), command.clusterId(),
                    command.nodeName());
            return new StepOutcome.Failed(ErrorCode.EXECUTOR_ERROR, "the executor failed unexpectedly ("
                    + e.getClass().getSimpleName() + "); see the executor-service log");
        }
    }
}
