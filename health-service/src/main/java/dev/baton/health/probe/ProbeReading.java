package dev.baton.health.probe;

import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.procedure.HealthProbe;
import java.util.regex.Pattern;

/**
 * Turns what a node answered into a {@link ProbeObservation}, using the node's procedure ({@link HealthProbe}).
 * One probe is at most three parts, each only if the previous one was good:
 * <ol>
 *   <li>one SSH exec, {@code cat /proc/sys/kernel/random/boot_id; <status command>} (or the version command when the
 *       procedure has no status command): the boot id, whether the product is active and, usually, its running version;</li>
 *   <li>the procedure's separate running-version command, if it has one (what runs, not what is installed);</li>
 *   <li>the procedure's TCP or HTTP check, if it has one ({@link NetworkCheck}).</li>
 * </ol>
 * A node is only good with a running version: an active status that names no version is not good. A procedure's shared
 * resource ({@code health.sharedResource}) rides along in the first exec ({@link #command}), each part's exit status
 * echoed after a marker, so it costs no SSH exec of its own. Pure; touches no topic.
 */
public final class ProbeReading {
    /** Where Linux keeps the id of the current boot; it changes on every reboot. */
    public static final String BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";

    private static final Pattern BOOT_ID = Pattern.compile("^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$");

    private ProbeReading() {
    }

    /** The marker line after the status command's output: the marker, a space, its exit status. */
    static final String STATUS_EXIT = "__baton_status_exit__";
    /** The marker line after the shared resource command's output. */
    static final String SHARED_EXIT = "__baton_shared_exit__";

    /**
     * The first command line a probe runs on a node: the boot id and the status; with a shared resource also its
     * command, each part's exit status echoed after its marker ({@link #statusPart}, {@link #holdsShared}).
     */
    public static String command(HealthProbe probe) {
        String status = BOOT_ID_COMMAND + "; " + (probe.command() != null ? probe.command() : probe.versionCommand());
        HealthProbe.SharedResource shared = probe.sharedResource();
        return shared == null ? status
                : status + "; echo " + STATUS_EXIT + " $?; " + shared.command() + "; echo " + SHARED_EXIT + " $?";
    }

    /** The answer of the status part of {@link #command}: its output and exit status (the whole answer without one). */
    public static ProbeAnswer statusPart(ProbeAnswer answer, HealthProbe probe) {
        if (probe.sharedResource() == null || answer.kind() != ProbeAnswer.Kind.COMPLETED) {
            return answer;
        }
        String output = answer.output();
        int marker = markerLine(output, STATUS_EXIT, 0);
        if (marker < 0) {
            return answer;
        }
        return new ProbeAnswer(answer.kind(), exitAfter(output, marker, STATUS_EXIT, answer.exitCode()),
                output.substring(0, marker), answer.detail());
    }

    /**
     * Whether the answer to {@link #command} says the node holds the procedure's shared resource; null when the
     * procedure declares none or the answer does not tell (no answer, a marker missing).
     */
    public static Boolean holdsShared(ProbeAnswer answer, HealthProbe probe) {
        HealthProbe.SharedResource shared = probe.sharedResource();
        if (shared == null || answer.kind() != ProbeAnswer.Kind.COMPLETED) {
            return null;
        }
        String output = answer.output();
        int status = markerLine(output, STATUS_EXIT, 0);
        int end = status < 0 ? -1 : markerLine(output, SHARED_EXIT, status);
        if (end < 0) {
            return null;
        }
        int from = output.indexOf('\n', status);
        String sharedOutput = from < 0 || from >= end ? "" : output.substring(from + 1, end);
        return shared.holds(exitAfter(output, end, SHARED_EXIT, 1), sharedOutput);
    }

    /** Where the line that starts with {@code marker} begins, at or after {@code from}; -1 if there is none. */
    private static int markerLine(String output, String marker, int from) {
        int at = from;
        while (true) {
            int found = output.indexOf(marker, at);
            if (found < 0) {
                return -1;
            }
            if (found == 0 || output.charAt(found - 1) == '\n') {
                return found;
            }
            at = found + marker.length();
        }
    }

    private static int exitAfter(String output, int markerAt, String marker, int otherwise) {
        int end = output.indexOf('\n', markerAt);
        String number = output.substring(markerAt + marker.length(), end < 0 ? output.length() : end).strip();
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Whether a good answer to {@link #command(HealthProbe)} still needs the separate version command. */
    public static boolean needsVersionCommand(HealthProbe probe) {
        return probe.command() != null && probe.versionCommand() != null;
    }

    /**
     * What the answer to {@link #command(HealthProbe)} says about the node. When {@link #needsVersionCommand} the
     * good observation has no version yet: {@link #withVersion} completes it.
     */
    public static ProbeObservation read(ProbeAnswer result, HealthProbe probe) {
        ProbeObservation failure = connectionFailure(result, null);
        if (failure != null) {
            return failure;
        }
        String output = result.output();
        String bootId = null;
        int firstLineEnd = output.indexOf('\n');
        String firstLine = (firstLineEnd < 0 ? output : output.substring(0, firstLineEnd)).strip();
        if (BOOT_ID.matcher(firstLine).matches()) {
            bootId = firstLine.toLowerCase();
            output = firstLineEnd < 0 ? "" : output.substring(firstLineEnd + 1);
        }
        boolean active = probe.command() != null ? probe.isActive(result.exitCode(), output) : result.exitCode() == 0;
        if (!active) {
            // not active, but what runs may still be readable (a server running outside its cluster's membership)
            String running = probe.command() != null ? probe.runningVersion(output).orElse(null) : null;
            return ProbeObservation.failed(Outcome.SERVICE_DOWN, bootId, summary(result.exitCode(), output, result.detail()),
                    running);
        }
        if (needsVersionCommand(probe)) {
            return ProbeObservation.good(null, bootId);
        }
        return versionOf(output, probe, bootId, result.exitCode(), result.detail());
    }

    /** Completes a good status reading with the separate running-version command's answer. */
    public static ProbeObservation withVersion(ProbeObservation status, ProbeAnswer result, HealthProbe probe) {
        if (!status.good()) {
            return status;
        }
        ProbeObservation failure = connectionFailure(result, status.bootId());
        if (failure != null) {
            return failure;
        }
        if (result.exitCode() != 0) {
            return ProbeObservation.failed(Outcome.SERVICE_DOWN, status.bootId(), "version command: "
                    + summary(result.exitCode(), result.output(), result.detail()));
        }
        return versionOf(result.output(), probe, status.bootId(), result.exitCode(), result.detail());
    }

    /** A good reading stays good only if the procedure's network check passed too; {@code problem} null = it passed. */
    public static ProbeObservation withCheck(ProbeObservation reading, String problem) {
        if (!reading.good() || problem == null) {
            return reading;
        }
        return ProbeObservation.failed(Outcome.SERVICE_DOWN, reading.bootId(), problem);
    }

    private static ProbeObservation versionOf(String output, HealthProbe probe, String bootId, int exitCode, String stderr) {
        return probe.runningVersion(output)
                .map(version -> ProbeObservation.good(version, bootId))
                .orElseGet(() -> ProbeObservation.failed(Outcome.SERVICE_DOWN, bootId,
                        "no running version reported (" + probe.versionPattern().pattern() + "): "
                                + summary(exitCode, output, stderr)));
    }

    private static ProbeObservation connectionFailure(ProbeAnswer result, String bootId) {
        switch (result.kind()) {
            case HOST_KEY_REJECTED:
                return ProbeObservation.failed(Outcome.HOST_KEY_MISMATCH, null, result.detail());
            case UNREACHABLE:
                return ProbeObservation.failed(Outcome.UNREACHABLE, bootId, result.detail());
            default:
                return null;
        }
    }

    private static String summary(int exitCode, String output, String stderr) {
        String text = (stderr != null && !stderr.isBlank() ? stderr : output).strip().replaceAll("\\s*\\n\\s*", " | ");
        if (text.length() > 200) {
            text = text.substring(0, 200) + "...";
        }
        return "exit " + exitCode + (text.isEmpty() ? "" : ": " + text);
    }
}
