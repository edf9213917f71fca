package dev.baton.sandbox.fleet;

import java.util.List;
import java.util.UUID;

/** The machine under a simulated node: its identity, file system, boot id and fault knobs. Touches no topic. */
final class Machine {

    static final String BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id";

    private final String clusterId;
    private final FleetSpec.Node spec;
    private final String home;
    private final VirtualFiles files;
    private final Faults faults;
    private volatile String bootId = UUID.randomUUID().toString();
    private volatile boolean up = true;
    private final Processes processes = new Processes();
    private final List<String> executed = new java.util.concurrent.CopyOnWriteArrayList<>();

    Machine(String clusterId, FleetSpec.Node spec, String sshUser, Faults faults) {
        this(clusterId, spec, sshUser, faults, new VirtualFiles());
    }

    /** A machine whose file system lives below {@code files}' root (what its SFTP subsystem serves). */
    Machine(String clusterId, FleetSpec.Node spec, String sshUser, Faults faults, VirtualFiles files) {
        this.files = files;
        this.clusterId = clusterId;
        this.spec = spec;
        this.home = "root".equals(sshUser) ? "/root" : "/home/" + sshUser;
        this.faults = faults;
        files.mkdirs(home);
        files.mkdirs("/tmp");
        files.write("/etc/hostname", spec.name() + "\n");
    }

    String clusterId() {
        return clusterId;
    }

    String name() {
        return spec.name();
    }

    String clusterAddress() {
        return spec.clusterAddress();
    }

    List<String> addresses() {
        return spec.addresses();
    }

    String arch() {
        return spec.arch();
    }

    String os() {
        return spec.os();
    }

    String home() {
        return home;
    }

    VirtualFiles files() {
        return files;
    }

    Faults faults() {
        return faults;
    }

    String bootId() {
        return bootId;
    }

    /** Every simple command its shells ran (see {@link SimulatedNode#executed()}). */
    List<String> executed() {
        return executed;
    }

    /** Its running processes. */
    Processes processes() {
        return processes;
    }

    boolean up() {
        return up;
    }

    /** The machine goes down (power off or the first half of a reboot). */
    void goDown() {
        up = false;
        processes.killAll();
    }

    /** The machine boots: a new boot id, and the faults that only last until a reboot are gone. */
    void boot() {
        bootId = UUID.randomUUID().toString();
        faults.failStartUntilReboot(false);
        up = true;
    }
}
