package dev.baton.executor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.ssh.ExecResult;
import dev.baton.executor.ssh.RemoteSession;
import dev.baton.executor.ssh.RemoteShellException;
import dev.baton.executor.ssh.ShellFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The small ledger on each node that makes a disruptive step run at most once per attempt, whichever executor
 * instance gets the command and however often it is delivered. It lives in the login directory of the SSH user,
 * {@value #DIR}, one entry per command id:
 * <ol>
 *   <li>{@code <id>.claim/} — created with {@code mkdir}, which is atomic and fails if it exists: the one executor
 *       whose {@code mkdir} succeeds runs the command;</li>
 *   <li>{@code <id>.done} — the outcome, written to {@code <id>.tmp} and renamed into place (atomic on one file
 *       system) after the step ended.</li>
 * </ol>
 * A claim without an outcome means another executor is running the command, or one died while running it: the
 * command is never run again. Plain POSIX shell commands only; touches no Kafka topic.
 */
public final class NodeLedger {
    /** The ledger directory, relative to the SSH user's login directory. */
    public static final String DIR = ".baton/ledger";
    private static final String CLAIMED = "baton-ledger-claimed";
    private static final String BUSY = "baton-ledger-busy";
    private static final String ENTRY = "baton-ledger-v1 ";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,150}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeLedger() {
    }

    /** What {@link #claim} found. */
    public sealed interface Claim {
        /** This executor holds the claim and must run the command, then {@link #record} its outcome. */
        record Claimed() implements Claim {
        }

        /** The command already ran on this node; this was its outcome. */
        record Recorded(StepOutcome outcome) implements Claim {
        }

        /** Someone else claimed the command and has recorded no outcome (yet). */
        record Busy() implements Claim {
        }
    }

    /** The outcome as stored on the node. */
    record Entry(String outcome, Integer exitCode, String errorCode, String message, String output) {
    }

    /** Claims the command on the node, or says who has it. */
    public static Claim claim(RemoteSession session, String commandId, Duration timeout) throws RemoteShellException {
        String entry = path(commandId);
        ExecResult result = session.exec("mkdir -p " + DIR + " && mkdir " + entry + ".claim 2>/dev/null && echo " + CLAIMED
                + " || cat " + entry + ".done 2>/dev/null || echo " + BUSY, timeout);
        String out = result.output().trim();
        if (out.equals(CLAIMED)) {
            return new Claim.Claimed();
        }
        return decode(out).<Claim>map(Claim.Recorded::new).orElseGet(Claim.Busy::new);
    }

    /** The recorded outcome of the command on this node, if any. */
    public static Optional<StepOutcome> recorded(RemoteSession session, String commandId, Duration timeout)
            throws RemoteShellException {
        ExecResult result = session.exec("cat " + path(commandId) + ".done 2>/dev/null || echo " + BUSY, timeout);
        return decode(result.output().trim());
    }

    /** Writes the outcome atomically (temporary file, then rename). */
    public static void record(RemoteSession session, String commandId, StepOutcome outcome, Duration timeout)
            throws RemoteShellException {
        String entry = path(commandId);
        ExecResult result = session.exec("echo '" + encode(outcome) + "' > " + entry + ".tmp && mv " + entry + ".tmp "
                + entry + ".done", timeout);
        if (!result.succeeded()) {
            throw new RemoteShellException(ShellFailure.FILE_TRANSFER,
                    "could not write the ledger entry " + entry + ".done (exit " + result.exitCode() + "): "
                            + result.output().trim());
        }
    }

    /** The entry's path without suffix; ids that are not plain file names are hashed. */
    static String path(String commandId) {
        String name = SAFE_ID.matcher(commandId).matches() && !commandId.startsWith(".") ? commandId : sha256(commandId);
        return DIR + "/" + name;
    }

    static String encode(StepOutcome outcome) {
        Entry entry;
        if (outcome instanceof StepOutcome.Succeeded ok) {
            entry = new Entry("SUCCEEDED", ok.exitCode(), null, null, ok.output());
        } else {
            StepOutcome.Failed failed = (StepOutcome.Failed) outcome;
            entry = new Entry("FAILED", failed.exitCode(), failed.errorCode().name(), failed.message(), failed.output());
        }
        try {
            return ENTRY + Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(entry));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a ledger entry", e);
        }
    }

    static Optional<StepOutcome> decode(String line) {
        if (!line.startsWith(ENTRY)) {
            return Optional.empty();
        }
        try {
            Entry entry = JSON.readValue(Base64.getDecoder().decode(line.substring(ENTRY.length()).trim()), Entry.class);
            if ("SUCCEEDED".equals(entry.outcome())) {
                return Optional.of(new StepOutcome.Succeeded(entry.exitCode(), entry.output()));
            }
            return Optional.of(new StepOutcome.Failed(ErrorCode.valueOf(entry.errorCode()), entry.message(),
                    entry.exitCode(), entry.output()));
        } catch (java.io.IOException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty(); // unreadable: treated as "no outcome", so the command is still not run again
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
