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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * command is never run again. A claim made by this version holds {@code attachable/}, and what the step leaves in
 * it tells a later executor where the step stands (see {@link JobState}):
 * <ul>
 *   <li>{@code started/} — made with {@code mkdir} by the detached step itself before it runs anything (the fence:
 *       of two launches only one starts);</li>
 *   <li>{@code pid}, {@code boot} — its process (which leads a process group of its own) and the node's boot id;</li>
 *   <li>{@code out} — its output; {@code rc} — its exit status, renamed into place when it ended;</li>
 *   <li>{@code rebooting/} then {@code boot} — a reboot step's fence and the boot id before it rebooted.</li>
 * </ul>
 * Plain POSIX shell commands only; touches no Kafka topic.
 */
public final class NodeLedger {
    /** The ledger directory, relative to the SSH user's login directory. */
    public static final String DIR = ".baton/ledger";
    private static final String CLAIMED = "baton-ledger-claimed";
    private static final String BUSY = "baton-ledger-busy";
    private static final String REFUSED = "baton-ledger-refused";
    private static final String ENTRY = "baton-ledger-v1 ";
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,150}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";
    /** How much of a detached step's output is read back. */
    static final int TAIL_BYTES = 4096;
    private static final int FENCE_TAKEN = 75;

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
        ExecResult result = session.exec("mkdir -p " + DIR + " && mkdir " + entry + ".claim 2>/dev/null && mkdir " + entry
                + ".claim/attachable && echo " + CLAIMED + " || cat " + entry + ".done 2>/dev/null || echo " + BUSY, timeout);
        String out = result.output().trim();
        if (out.equals(CLAIMED)) {
            return new Claim.Claimed();
        }
        return decode(out).<Claim>map(Claim.Recorded::new).orElseGet(Claim.Busy::new);
    }

    /** What {@link #refuse} found (or {@link Unknown}: the node was not asked). */
    public sealed interface Seen {
        /** The command already ran on this node; this was its outcome. */
        record Recorded(StepOutcome outcome) implements Seen {
        }

        /** Someone claimed the command and recorded no outcome (yet). */
        record Claimed() implements Seen {
        }

        /** Not known: a command that keeps no ledger entry, or a node that could not be asked. */
        record Unknown() implements Seen {
        }

        /** {@link #refuse}: the node had not started the command; it is now recorded refused and can never start. */
        record Refused() implements Seen {
        }
    }

    /**
     * For a command that must not start any more (past its {@code startBy}): claims its entry if nobody has, takes the
     * step's fence ({@code started/}, or {@code rebooting/} for a reboot) so that no delivery can start it from now on,
     * and records {@code refusal} as its outcome, all in one exec. A later claim (another instance that saw the command
     * in time) finds the refusal, not a free entry. Finds an outcome already recorded, or a step that has passed its
     * fence ({@link Seen.Claimed}: follow it), or a claim by an executor that leaves no trace of its progress (the
     * same).
     */
    public static Seen refuse(RemoteSession session, String commandId, boolean reboot, StepOutcome refusal,
                              Duration timeout) throws RemoteShellException {
        String entry = path(commandId);
        String claim = entry + ".claim";
        ExecResult result = session.exec("mkdir -p " + DIR + " && mkdir " + claim + " 2>/dev/null && mkdir " + claim
                + "/attachable; test -d " + claim + "/attachable && mkdir " + claim + (reboot ? "/rebooting" : "/started")
                + " 2>/dev/null && " + writeDone(entry, refusal) + " && echo " + REFUSED + " || cat " + entry
                + ".done 2>/dev/null || echo " + BUSY, timeout);
        String out = result.output().trim();
        if (out.equals(REFUSED)) {
            return new Seen.Refused();
        }
        return decode(out).<Seen>map(Seen.Recorded::new).orElseGet(Seen.Claimed::new);
    }

    /**
     * Where a claimed step stands on the node, as its claim directory tells.
     *
     * @param attachable the claim was made by an executor that records the step's progress in it
     * @param started    the detached step passed its fence ({@code started/})
     * @param pid        its process (and process group), if recorded
     * @param boot       the boot id it started under (or a reboot step rebooted from), if recorded
     * @param bootNow    the node's boot id now
     * @param exitStatus its exit status, once it ended by itself
     * @param outcome    the recorded outcome ({@code .done}), if any
     * @param output     the end of the step's output, once it has an exit status
     */
    public record JobState(boolean attachable, boolean started, Integer pid, String boot, String bootNow,
                           Integer exitStatus, StepOutcome outcome, String output) {

        /** The node booted since the step started (or since the reboot step's boot id was recorded). */
        public boolean rebootedSince() {
            return boot != null && bootNow != null && !boot.equals(bootNow);
        }
    }

    /** Reads the claim directory of the command, in one exec. */
    public static JobState state(RemoteSession session, String commandId, Duration timeout) throws RemoteShellException {
        ExecResult result = session.exec(stateQuery(commandId), timeout);
        return parseState(commandId, result);
    }

    /**
     * The line printing the claim directory's state, then after {@code @end} the last {@value #TAIL_BYTES} bytes of
     * the step's output once it has an exit status.
     */
    static String stateQuery(String commandId) {
        String claim = path(commandId) + ".claim";
        return "test -d " + claim + "/attachable && echo @attachable; test -d " + claim
                + "/started && echo @started; echo @pid; cat " + claim + "/pid 2>/dev/null; echo @boot; cat " + claim
                + "/boot 2>/dev/null; echo @now; cat " + BOOT_ID_FILE + " 2>/dev/null; echo @rc; cat " + claim
                + "/rc 2>/dev/null; echo @done; cat " + path(commandId) + ".done 2>/dev/null; echo @end; test -f " + claim
                + "/rc && tail -c " + TAIL_BYTES + " " + claim + "/out 2>/dev/null; true";
    }

    static JobState parseState(String commandId, ExecResult result) throws RemoteShellException {
        String text = result.output();
        int end = text.startsWith("@end\n") ? 0 : text.indexOf("\n@end\n");
        if (end < 0) {
            throw new RemoteShellException(ShellFailure.CONNECTION_LOST, "could not read the ledger entry " + path(commandId)
                    + ".claim (exit " + result.exitCode() + ")");
        }
        String tail = text.substring(end == 0 ? "@end\n".length() : end + "\n@end\n".length());
        Map<String, String> sections = new HashMap<>();
        String current = null;
        for (String line : text.substring(0, end).lines().map(String::trim).toList()) {
            if (line.startsWith("@")) {
                current = line.substring(1);
                sections.putIfAbsent(current, "");
            } else if (current != null && !line.isEmpty()) {
                sections.merge(current, line, (a, b) -> a.isEmpty() ? b : a);
            }
        }
        return new JobState(sections.containsKey("attachable"), sections.containsKey("started"),
                number(sections.get("pid")), blankToNull(sections.get("boot")), blankToNull(sections.get("now")),
                number(sections.get("rc")), decode(sections.getOrDefault("done", "")).orElse(null), tail);
    }

    /**
     * What {@link #alive} found.
     *
     * @param running    the process still runs
     * @param exitStatus its exit status, if it recorded one meanwhile
     */
    public record Liveness(boolean running, Integer exitStatus) {
    }

    /** Whether the process {@code pid} still runs, and its exit status if it recorded one meanwhile. */
    public static Liveness alive(RemoteSession session, String commandId, int pid, Duration timeout) throws RemoteShellException {
        String claim = path(commandId) + ".claim";
        ExecResult result = session.exec("kill -0 " + pid + " 2>/dev/null && echo @alive; echo @rc; cat " + claim
                + "/rc 2>/dev/null; echo @end", timeout);
        List<String> lines = result.output().lines().map(String::trim).toList();
        if (!lines.contains("@end")) {
            throw new RemoteShellException(ShellFailure.CONNECTION_LOST, "could not check process " + pid);
        }
        int rcAt = lines.indexOf("@rc");
        Integer rc = rcAt >= 0 && rcAt + 1 < lines.size() ? number(lines.get(rcAt + 1)) : null;
        return new Liveness(lines.contains("@alive"), rc);
    }

    /**
     * The shell line that starts {@code command} detached from the SSH channel (its own session and process group,
     * no terminal, standard streams on files of the claim), then waits for it while this channel lasts: it ends
     * with the step, or at once if another launch passed the fence first; its output is the step's {@link #state}.
     */
    public static String launch(String commandId, String command) {
        String claim = path(commandId) + ".claim";
        String job = "mkdir " + claim + "/started 2>/dev/null || exit 0; echo $$ > " + claim + "/pid; cat " + BOOT_ID_FILE
                + " > " + claim + "/boot 2>/dev/null; \"$SHELL\" -c " + quote(command) + " > " + claim + "/out 2>&1; echo $? > "
                + claim + "/rc.tmp; mv " + claim + "/rc.tmp " + claim + "/rc";
        return "setsid sh -c " + quote(job) + " </dev/null >/dev/null 2>&1 & wait $!; " + stateQuery(commandId);
    }

    /** The shell line that ends the detached step: its whole process group. */
    public static String killGroup(int pid) {
        return "kill -TERM -- -" + pid + " 2>/dev/null; true";
    }

    /**
     * The reboot step's fence: the line that makes {@code rebooting/} (only one executor gets it), records the boot
     * id to reboot from and prints it; it exits {@value #FENCE_TAKEN} without a word if another executor has the fence.
     */
    public static String rebootFence(String commandId) {
        String claim = path(commandId) + ".claim";
        return "mkdir " + claim + "/rebooting 2>/dev/null || exit " + FENCE_TAKEN + "; cat " + BOOT_ID_FILE + " > " + claim
                + "/boot && cat " + claim + "/boot";
    }

    /** Whether {@link #rebootFence} found the fence taken. */
    static boolean fenceTaken(ExecResult result) {
        return result.exitCode() == FENCE_TAKEN && result.output().isBlank();
    }

    /** The line quoted for a POSIX shell: one word, nothing expanded. */
    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static Integer number(String text) {
        try {
            return text == null || text.isBlank() ? null : Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
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
        ExecResult result = session.exec(writeDone(entry, outcome), timeout);
        if (!result.succeeded()) {
            throw new RemoteShellException(ShellFailure.FILE_TRANSFER,
                    "could not write the ledger entry " + entry + ".done (exit " + result.exitCode() + "): "
                            + result.output().trim());
        }
    }

    /** The line writing the outcome to {@code <entry>.done} atomically (temporary file, then rename). */
    private static String writeDone(String entry, StepOutcome outcome) {
        return "echo '" + encode(outcome) + "' > " + entry + ".tmp.$$ && mv " + entry + ".tmp.$$ " + entry + ".done";
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
