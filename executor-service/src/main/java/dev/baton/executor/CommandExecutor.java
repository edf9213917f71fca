package dev.baton.executor;

import dev.baton.messaging.Acks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Carries out one {@link NodeCommand} from {@code baton.commands.v1} and reports on {@code baton.results.v1}:
 * StepStarted, StepOutput chunks while it runs, then StepSucceeded or StepFailed, each caused by the command's
 * CloudEvents id and on behalf of its actor. Before anything runs: a command for another executor pool is
 * skipped, a command with a fencing epoch lower than one already seen for its cluster is dropped, a command
 * this process already finished is answered with its recorded result (the node's ledger covers the other cases),
 * and a command whose {@code startBy} has passed is refused unrun with {@code COMMAND_EXPIRED} (invariant 7: the
 * planner has given up on it, or will have before it could end), the refusal recorded in the node's ledger so that no
 * later delivery starts it — unless the ledger shows that an earlier delivery already started it: then it is followed
 * to its end (or its recorded outcome reported), never started anew.
 */
@ApplicationScoped
public class CommandExecutor {
    private static final Logger LOG = Logger.getLogger(CommandExecutor.class);

    /** What became of a delivered command. */
    public enum Disposition { RAN, REPUBLISHED, OTHER_POOL, STALE_EPOCH, EXPIRED }

    private final StepRunner runner;
    private final FinishedCommands finished;
    private final EpochFence fence;
    private final StepReports reports;
    private final String pool;
    private final int chunkBytes;
    private final Duration chunkInterval;
    private final Clock clock;

    @Inject
    public CommandExecutor(StepRunner runner, FinishedCommands finished, EpochFence fence, StepReports reports,
                           ExecutorConfig config) {
        this(runner, finished, fence, reports, config.pool().orElse(null), config.outputChunkBytes(),
                config.outputInterval());
    }

    public CommandExecutor(StepRunner runner, FinishedCommands finished, EpochFence fence, StepReports reports,
                           String pool, int chunkBytes, Duration chunkInterval) {
        this(runner, finished, fence, reports, pool, chunkBytes, chunkInterval, Clock.systemUTC());
    }

    /** For tests: the clock that decides whether a command's {@code startBy} has passed. */
    public CommandExecutor(StepRunner runner, FinishedCommands finished, EpochFence fence, StepReports reports,
                           String pool, int chunkBytes, Duration chunkInterval, Clock clock) {
        this.clock = clock;
        this.runner = runner;
        this.finished = finished;
        this.fence = fence;
        this.reports = reports;
        this.pool = blankToNull(pool);
        this.chunkBytes = chunkBytes;
        this.chunkInterval = chunkInterval;
    }

    /** The pool this executor serves, or null for commands without a pool. */
    public String pool() {
        return pool;
    }

    /** Whether this executor serves commands of {@code commandPool}. */
    public boolean serves(String commandPool) {
        return Objects.equals(pool, blankToNull(commandPool));
    }

    /** Runs the command (or answers a redelivery, or drops it) and publishes the results. */
    public Disposition execute(NodeCommand command, EventEnvelope envelope) {
        if (!serves(command.executorPool())) {
            LOG.debugf("command %s is for executor pool %s, this executor serves %s; skipped", command.commandId(),
                    command.executorPool(), pool == null ? "commands without a pool" : pool);
            return Disposition.OTHER_POOL;
        }
        if (!fence.admit(command.clusterId(), command.epoch())) {
            LOG.warnf("step %s on %s/%s: command %s has fencing epoch %d, but epoch %d was already seen for the "
                    + "cluster; dropped unrun (it comes from a planner instance that lost the cluster)", command.step(),
                    command.clusterId(), command.nodeName(), command.commandId(), command.epoch(),
                    fence.highest(command.clusterId()));
            return Disposition.STALE_EPOCH;
        }
        String actor = envelope.actor();
        String causationId = envelope.id();
        Optional<StepResult> earlier = finished.resultOf(command.commandId());
        if (earlier.isPresent()) {
            LOG.infof("step %s on %s/%s: command %s already finished here (%s); republishing its result, not running again",
                    command.step(), command.clusterId(), command.nodeName(), command.commandId(),
                    earlier.get().getClass().getSimpleName());
            reports.publish(earlier.get(), actor, causationId);
            return Disposition.REPUBLISHED;
        }
        Instant now = clock.instant();
        if (command.expiredAt(now)) {
            // checked here, as the command's turn in its cluster's lane comes, not when it was read: it may have queued
            String message = "command " + command.commandId() + " had to start by " + command.startBy() + " and reached "
                    + "this executor at " + now + ", when the planner no longer waits for it; nothing was run on "
                    + command.clusterId() + "/" + command.nodeName();
            StepOutcome.Failed refusal = new StepOutcome.Failed(ErrorCode.COMMAND_EXPIRED, message);
            NodeLedger.Seen seen = runner.refuseExpired(command, refusal);
            if (seen instanceof NodeLedger.Seen.Recorded recorded) {
                LOG.infof("step %s on %s/%s: command %s is past its startBy and already has an outcome on the node; "
                        + "reporting it", command.step(), command.clusterId(), command.nodeName(), command.commandId());
                StepResult result = recorded.outcome().toEvent(command);
                finished.record(command.commandId(), result);
                reports.publish(result, actor, causationId);
                return Disposition.REPUBLISHED;
            }
            if (!(seen instanceof NodeLedger.Seen.Claimed)) {
                LOG.warnf("step %s on %s/%s: %s", command.step(), command.clusterId(), command.nodeName(), message);
                StepResult result = refusal.toEvent(command);
                finished.record(command.commandId(), result);
                reports.publish(result, actor, causationId);
                return Disposition.EXPIRED;
            }
            LOG.infof("step %s on %s/%s: command %s is past its startBy but was started on the node by an earlier "
                    + "delivery; following it", command.step(), command.clusterId(), command.nodeName(), command.commandId());
        }
        long start = System.nanoTime();
        LOG.infof("step %s on %s/%s started: %s command %s", command.step(), command.clusterId(), command.nodeName(),
                command.kind(), command.commandId());
        // not awaited: nothing waits for StepStarted, so the command need not either; the final result below is
        // published only once it and every output chunk are acknowledged (same partition, so in this order)
        CompletableFuture<Void> started = reports.send(new StepStarted(command.commandId(), command.rolloutId(),
                command.clusterId(), command.nodeName(), command.step(), null, null, null, null), actor, causationId);
        StepOutputStream stream = new StepOutputStream(command, reports, actor, causationId, chunkBytes, chunkInterval,
                clock);
        StepOutcome outcome = outcomeOf(command, stream);
        stream.finish();
        StepResult result = outcome.toEvent(command);
        finished.record(command.commandId(), result);
        awaitSent(started, stream.sent());
        reports.publish(result, actor, causationId);
        LOG.infof("step %s on %s/%s finished: %s in %d ms", command.step(), command.clusterId(), command.nodeName(),
                outcome.label(), (System.nanoTime() - start) / 1_000_000);
        return Disposition.RAN;
    }

    /** Waits for the reports sent without waiting; a failure is thrown as publishing it would have thrown it. */
    private static void awaitSent(CompletableFuture<Void> started, List<CompletableFuture<Void>> chunks) {
        List<CompletableFuture<Void>> all = new ArrayList<>(chunks);
        all.add(started);
        Acks.awaitAll(all);
    }

    private StepOutcome outcomeOf(NodeCommand command, StepOutputStream stream) {
        try {
            return runner.run(command, stream);
        } catch (RuntimeException e) {
            LOG.errorf(e, "step %s on %s/%s: unexpected executor failure", command.step(), command.clusterId(),
                    command.nodeName());
            return new StepOutcome.Failed(ErrorCode.EXECUTOR_ERROR, "the executor failed unexpectedly ("
                    + e.getClass().getSimpleName() + "); see the executor-service log");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
