package dev.baton.planner.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * When a command may still start, and when the planner gives up on its result (invariant 7: a command the planner
 * has given up on never starts later). Every {@code NodeCommand} carries {@code startBy = sent + window}, where the
 * window is {@code startWindow} or the step's own timeout if that is longer (a command may queue behind the cluster's
 * earlier ones on its executor). An executor refuses a command after its {@code startBy}, so a command that started
 * in time has ended by {@code startBy + timeout}; the planner declares its result missing only after that plus
 * {@code grace} (result delivery, clock skew between planner and executor hosts). Pure, no clock of its own.
 *
 * @param startWindow the least time a command has to reach an executor and start ({@code baton.planner.command-start-window})
 * @param grace slack after the latest possible end of a command ({@code baton.planner.result-grace}); covers clock skew
 */
public record CommandDeadlines(Duration startWindow, Duration grace) {
    /** The defaults of {@code baton.planner.command-start-window} and {@code baton.planner.result-grace}. */
    public static final CommandDeadlines DEFAULT = new CommandDeadlines(Duration.ofMinutes(2), Duration.ofMinutes(1));

    public CommandDeadlines {
        if (startWindow == null || startWindow.isNegative() || startWindow.isZero()) {
            throw new IllegalArgumentException("the command start window must be positive, got " + startWindow);
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("the result grace must not be negative, got " + grace);
        }
    }

    /** The {@code startBy} of a command sent at {@code sentAt} with {@code timeout}. */
    public Instant startBy(Instant sentAt, Duration timeout) {
        Duration window = timeout != null && timeout.compareTo(startWindow) > 0 ? timeout : startWindow;
        return sentAt.plus(window);
    }

    /**
     * When the planner stops waiting for the result of a command sent at {@code sentAt}: its latest possible end plus
     * the grace. {@code startBy} null (a node restored from a snapshot older than the field): sent + timeout + grace.
     *
     * <p>A command no executor has said it started ({@code startSeen} false) is waited for one start window longer.
     * It can no longer start, so the wait is safe; most likely no executor has read it yet (an executor or the broker
     * was down or slow to come back), and the executor that reads it refuses it {@code COMMAND_EXPIRED} from the node's
     * ledger: proof it never ran, which the planner answers with a new attempt instead of a halt. Only when that proof
     * does not come either does the planner give up (and halt, for a human).
     */
    public Instant giveUpAt(Instant sentAt, Instant startBy, Duration timeout, boolean startSeen) {
        Duration run = timeout == null ? Duration.ZERO : timeout;
        Instant end = (startBy == null ? sentAt : startBy).plus(run).plus(grace);
        return startSeen ? end : end.plus(startWindow);
    }
}
