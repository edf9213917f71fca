package dev.baton.sandbox.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fault knobs of one simulated node: set per node in the fleet spec ({@code faults:}) and changed at
 * runtime through {@link SimulatedNode#faults()}. Thread-safe; every setter returns this. Touches no topic.
 */
public final class Faults {

    private volatile boolean refuseStop;
    private volatile boolean failStartUntilReboot;
    private volatile boolean neverReturns;
    private volatile boolean hostKeyChanged;
    private volatile String dropConnectionOn;
    private volatile boolean flapStatus;
    private final AtomicLong statusQueries = new AtomicLong();
    private final Map<String, Duration> slowCommands = new ConcurrentHashMap<>();
    private final Map<String, String> failCommands = new ConcurrentHashMap<>();

    /** No faults. */
    public Faults() {
    }

    public Faults(boolean refuseStop, boolean failStartUntilReboot, boolean neverReturns, Map<String, Duration> slowCommands,
                  boolean hostKeyChanged, String dropConnectionOn) {
        this(refuseStop, failStartUntilReboot, neverReturns, slowCommands, hostKeyChanged, dropConnectionOn, false);
    }

    @JsonCreator
    public Faults(
            @JsonProperty("refuseStop") boolean refuseStop,
            @JsonProperty("failStartUntilReboot") boolean failStartUntilReboot,
            @JsonProperty("neverReturns") boolean neverReturns,
            @JsonProperty("slowCommands") Map<String, Duration> slowCommands,
            @JsonProperty("hostKeyChanged") boolean hostKeyChanged,
            @JsonProperty("dropConnectionOn") String dropConnectionOn,
            @JsonProperty("flapStatus") boolean flapStatus,
            @JsonProperty("failCommands") Map<String, String> failCommands) {
        this.flapStatus = flapStatus;
        this.refuseStop = refuseStop;
        this.failStartUntilReboot = failStartUntilReboot;
        this.neverReturns = neverReturns;
        this.hostKeyChanged = hostKeyChanged;
        this.dropConnectionOn = dropConnectionOn == null || dropConnectionOn.isEmpty() ? null : dropConnectionOn;
        if (slowCommands != null) {
            slowCommands.forEach(this::slowCommand);
        }
        if (failCommands != null) {
            failCommands.forEach(this::failCommand);
        }
    }

    public Faults(boolean refuseStop, boolean failStartUntilReboot, boolean neverReturns, Map<String, Duration> slowCommands,
                  boolean hostKeyChanged, String dropConnectionOn, boolean flapStatus) {
        this(refuseStop, failStartUntilReboot, neverReturns, slowCommands, hostKeyChanged, dropConnectionOn, flapStatus, null);
    }

    /** The knobs that are set, in words (what the demo prints per faulty node); empty for a healthy node. */
    public List<String> describe() {
        List<String> knobs = new ArrayList<>();
        if (refuseStop) {
            knobs.add("refuseStop (its services won't stop)");
        }
        if (failStartUntilReboot) {
            knobs.add("failStartUntilReboot");
        }
        if (neverReturns) {
            knobs.add("neverReturns");
        }
        if (hostKeyChanged) {
            knobs.add("hostKeyChanged");
        }
        if (dropConnectionOn != null) {
            knobs.add("dropConnectionOn '" + dropConnectionOn + "'");
        }
        slowCommands.forEach((cmd, d) -> knobs.add("slow '" + cmd + "' " + d));
        failCommands.forEach((cmd, message) -> knobs.add("'" + cmd + "' fails: " + message));
        return knobs;
    }

    /** An independent copy (each node of a started fleet gets its own). */
    public Faults copy() {
        return new Faults(refuseStop, failStartUntilReboot, neverReturns, slowCommands(), hostKeyChanged, dropConnectionOn,
                flapStatus, failCommands());
    }

    /** Stopping the product's services fails (exit 1, a {@code [FAILED]} line); they keep running. */
    public boolean refuseStop() {
        return refuseStop;
    }

    public Faults refuseStop(boolean value) {
        refuseStop = value;
        return this;
    }

    /** Starting the product's services fails until the node is next rebooted (a reboot clears this knob). */
    public boolean failStartUntilReboot() {
        return failStartUntilReboot;
    }

    public Faults failStartUntilReboot(boolean value) {
        failStartUntilReboot = value;
        return this;
    }

    /** After its next reboot the node stays down. */
    public boolean neverReturns() {
        return neverReturns;
    }

    public Faults neverReturns(boolean value) {
        neverReturns = value;
        return this;
    }

    /** The node presents a host key that the fleet's known_hosts does not hold. */
    public boolean hostKeyChanged() {
        return hostKeyChanged;
    }

    public Faults hostKeyChanged(boolean value) {
        hostKeyChanged = value;
        return this;
    }

    /** A command line containing this text takes effect, then the connection drops before an exit status is sent. */
    public String dropConnectionOn() {
        return dropConnectionOn;
    }

    public Faults dropConnectionOn(String substring) {
        dropConnectionOn = substring == null || substring.isEmpty() ? null : substring;
        return this;
    }

    /**
     * The product's status command ({@code dis_services status}, {@code pmxs status}) answers "not active" (exit 3)
     * every other time, starting with the next query, and truthfully in between: a service that keeps crashing and
     * restarting. The product's real state does not change.
     */
    public boolean flapStatus() {
        return flapStatus;
    }

    public Faults flapStatus(boolean value) {
        statusQueries.set(0);
        flapStatus = value;
        return this;
    }

    /** Command-line substrings and how long a matching command takes. */
    public Map<String, Duration> slowCommands() {
        return Map.copyOf(slowCommands);
    }

    /** A command line containing {@code substring} takes {@code duration} before it runs. */
    public Faults slowCommand(String substring, Duration duration) {
        if (substring == null || substring.isEmpty() || duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("slowCommands: needs a non-empty command substring and a positive ISO duration (e.g. PT5S)");
        }
        slowCommands.put(substring, duration);
        return this;
    }

    /** Removes every knob. */
    public Faults clear() {
        refuseStop = false;
        failStartUntilReboot = false;
        neverReturns = false;
        hostKeyChanged = false;
        dropConnectionOn = null;
        flapStatus = false;
        slowCommands.clear();
        failCommands.clear();
        return this;
    }

    /** The commands that fail: substring to the message they print. */
    public Map<String, String> failCommands() {
        return Map.copyOf(failCommands);
    }

    /**
     * A simple command containing {@code substring} fails (exit 1, {@code message} on stderr) without taking effect,
     * as an installer on a full disk; {@code null} message stops it failing.
     */
    public Faults failCommand(String substring, String message) {
        if (substring == null || substring.isEmpty()) {
            throw new IllegalArgumentException("failCommands: needs a non-empty command substring");
        }
        if (message == null) {
            failCommands.remove(substring);
        } else {
            failCommands.put(substring, message);
        }
        return this;
    }

    /** The failure message of a command line by {@code failCommands} (the longest matching substring), if any. */
    public java.util.Optional<String> failureFor(String commandLine) {
        return failCommands.entrySet().stream().filter(e -> commandLine.contains(e.getKey()))
                .max(java.util.Comparator.comparingInt(e -> e.getKey().length())).map(Map.Entry::getValue);
    }

    /** How long a command line is delayed by {@code slowCommands} (the longest match), zero if none. */
    Duration delayFor(String commandLine) {
        return slowCommands.entrySet().stream()
                .filter(e -> commandLine.contains(e.getKey()))
                .map(Map.Entry::getValue)
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    /** Whether this status query must answer "not active" because of {@link #flapStatus()}; counts the query. */
    boolean statusFlapsDown() {
        return flapStatus && statusQueries.getAndIncrement() % 2 == 0;
    }

    /** Whether a command line must lose its connection after taking effect. */
    boolean dropsConnection(String commandLine) {
        String marker = dropConnectionOn;
        return marker != null && commandLine.contains(marker);
    }

    @Override
    public String toString() {
        return "Faults[refuseStop=" + refuseStop + ", failStartUntilReboot=" + failStartUntilReboot
                + ", neverReturns=" + neverReturns + ", hostKeyChanged=" + hostKeyChanged
                + ", dropConnectionOn=" + dropConnectionOn + ", flapStatus=" + flapStatus + ", slowCommands=" + slowCommands
                + ", failCommands=" + failCommands + "]";
    }
}
