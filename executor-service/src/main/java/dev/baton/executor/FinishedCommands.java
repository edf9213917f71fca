package dev.baton.executor;

import dev.baton.contracts.StepResult;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The results of commands this process already finished, by commandId, so a redelivered command from
 * {@code baton.commands.v1} is answered again instead of run again. In memory and bounded (oldest forgotten
 * first): it does not survive a restart; the {@link NodeLedger} on each node does, for disruptive commands.
 */
@Singleton
public class FinishedCommands {
    /** Far more commands than one executor finishes between two restarts of a rollout's planner. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final Map<String, StepResult> results;

    public FinishedCommands() {
        this(DEFAULT_CAPACITY);
    }

    public FinishedCommands(int capacity) {
        this.results = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StepResult> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The recorded result of a command that already finished here, if any. */
    public synchronized Optional<StepResult> resultOf(String commandId) {
        return commandId == null ? Optional.empty() : Optional.ofNullable(results.get(commandId));
    }

    /** Records a command's final result (StepSucceeded or StepFailed). */
    public synchronized void record(String commandId, StepResult result) {
        if (commandId != null) {
            results.put(commandId, result);
        }
    }

    /** Forgets every recorded result, as a restarted executor would have. */
    public synchronized void clear() {
        results.clear();
    }

    public synchronized int size() {
        return results.size();
    }
}
