package dev.baton.executor;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepOutput;
import dev.baton.executor.ssh.OutputListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Streams a running command's output as {@code StepOutput} chunks on {@code baton.results.v1}, bounded in size
 * and rate: at most one chunk per {@code interval}, each at most {@code chunkBytes}; bytes beyond that are counted
 * and said to be skipped (the step result still carries the last 4 KiB). {@link #finish()} sends what is left.
 */
public final class StepOutputStream implements OutputListener {
    private final NodeCommand command;
    private final StepReports reports;
    private final String actor;
    private final String causationId;
    private final int chunkBytes;
    private final Duration interval;
    private final Clock clock;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private long skipped;
    private long lastSent = Long.MIN_VALUE;
    private int chunks;
    private boolean finished;
    private final List<CompletableFuture<Void>> sent = new ArrayList<>();

    public StepOutputStream(NodeCommand command, StepReports reports, String actor, String causationId, int chunkBytes,
                            Duration interval, Clock clock) {
        this.command = command;
        this.reports = reports;
        this.actor = actor;
        this.causationId = causationId;
        this.chunkBytes = Math.max(64, chunkBytes);
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public synchronized void onOutput(byte[] bytes, int offset, int length) {
        if (finished) {
            return;
        }
        int room = chunkBytes - buffer.size();
        int kept = Math.min(room, length);
        buffer.write(bytes, offset, kept);
        skipped += length - kept;
        long now = clock.millis();
        if (lastSent == Long.MIN_VALUE || now - lastSent >= interval.toMillis()) {
            send(now);
        }
    }

    /** Sends the output not sent yet; later output is ignored. */
    public synchronized void finish() {
        if (!finished) {
            send(clock.millis());
            finished = true;
        }
    }

    /** The chunks sent so far, for {@link CommandExecutor} to wait on before the step's final result. */
    public synchronized List<CompletableFuture<Void>> sent() {
        return List.copyOf(sent);
    }

    /** How many chunks were published. */
    public synchronized int chunks() {
        return chunks;
    }

    private void send(long now) {
        if (buffer.size() == 0 && skipped == 0) {
            return;
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (skipped > 0) {
            text += (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + "[baton: " + skipped
                    + " bytes of output not streamed (rate limit); the step result keeps the last 4 KiB]\n";
        }
        buffer.reset();
        skipped = 0;
        lastSent = now;
        chunks++;
        sent.add(reports.send(new StepOutput(command.commandId(), command.rolloutId(), command.clusterId(),
                command.nodeName(), command.step(), null, text, null, null), actor, causationId));
    }
}
