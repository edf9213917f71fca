package dev.baton.health.probe;

import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.procedure.HealthProbe;
import java.util.regex.Pattern;

/**
 * Turns what a node answered into a {@link ProbeObservation}, using the node's procedure
 * ({@link HealthProbe}): the boot id and the product status are read in one SSH exec,
 * {@code cat /proc/sys/kernel/random/boot_id; <probe command>}. Pure; touches no topic.
 */
public final class ProbeReading {
    /** Where Linux keeps the id of the current boot; it changes on every reboot. */
    public static final String BOOT_ID_COMMAND = "cat /proc/sys/kernel/random/boot_id";

    private static final Pattern BOOT_ID = Pattern.compile("^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$");

    private ProbeReading() {
    }

    /** The one command line a probe runs on a node. */
    public static String command(HealthProbe probe) {
        return BOOT_ID_COMMAND + "; " + probe.command();
    }

    /** What the answer to {@link #command(HealthProbe)} says about the node. */
    public static ProbeObservation read(ExecResult result, HealthProbe probe) {
        switch (result.kind()) {
            case HOST_KEY_REJECTED:
                return ProbeObservation.failed(Outcome.HOST_KEY_MISMATCH, null, result.detail());
            case UNREACHABLE:
                return ProbeObservation.failed(Outcome.UNREACHABLE, null, result.detail());
            default:
                break;
        }
        String output = result.output();
        String bootId = null;
        int firstLineEnd = output.indexOf('\n');
        String firstLine = (firstLineEnd < 0 ? output : output.substring(0, firstLineEnd)).strip();
        if (BOOT_ID.matcher(firstLine).matches()) {
            bootId = firstLine.toLowerCase();
            output = firstLineEnd < 0 ? "" : output.substring(firstLineEnd + 1);
        }
        if (probe.isActive(result.exitCode(), output)) {
            return ProbeObservation.good(probe.runningVersion(output).orElse(null), bootId);
        }
        return ProbeObservation.failed(Outcome.SERVICE_DOWN, bootId, summary(result.exitCode(), output, result.detail()));
    }

    private static String summary(int exitCode, String output, String stderr) {
        String text = (stderr != null && !stderr.isBlank() ? stderr : output).strip().replaceAll("\\s*\\n\\s*", " | ");
        if (text.length() > 200) {
            text = text.substring(0, 200) + "...";
        }
        return "exit " + exitCode + (text.isEmpty() ? "" : ": " + text);
    }
}
