package dev.baton.sandbox.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * PolyServe Matrix Server on a simulated cluster, after {@code reference/matrix-server-3.5.1-rolling-upgrade.txt}:
 * one matrix per cluster whose membership follows the reference's rules, re-evaluated after every change
 * ({@link #settle()}):
 * <ol>
 *   <li>Out-of-order upgrade: while a server on the newest version is a member and a running server on an older
 *       version has a higher cluster address, every older-version server leaves the matrix (it keeps running);
 *       when that stops holding (the remedy: stop Matrix Server on the out-of-order node) they rejoin.</li>
 *   <li>Rejoin: an older-version server joins only while an older-version server is in the matrix, or while no
 *       newest-version server is a member; otherwise it runs without being a member.</li>
 *   <li>PSFS: an older-version server cannot mount the shared filesystem while no older-version server has it
 *       mounted and a newest-version server does.</li>
 * </ol>
 * "Newest" is the highest version installed on any node of the cluster; every lower version is "older".
 * Touches no topic.
 */
final class MatrixServer implements SimulatedProduct {

    static final String PSFS = "/psfs";
    private static final String OK = "[  OK  ]";
    private static final String FAILED = "[FAILED]";

    /** Where a node's Matrix Server stands. */
    enum State {
        STOPPED,
        /** Running and a member of the matrix. */
        MEMBER,
        /** Running, but left the matrix because a newer server was upgraded out of order. */
        LEFT_OUT_OF_ORDER,
        /** Running, but not allowed to join: no server on its (older) version is in the matrix any more. */
        NOT_ADMITTED
    }

    private static final class Server {
        final Machine machine;
        final long address;
        Version installed;
        State state = State.MEMBER;
        boolean psfsMounted = true;

        Server(Machine machine, Version installed) {
            this.machine = machine;
            this.address = numeric(machine.clusterAddress());
            this.installed = installed;
        }

        boolean running() {
            return state != State.STOPPED;
        }
    }

    private final Map<String, Server> servers = new LinkedHashMap<>();

    MatrixServer(FleetSpec.Cluster cluster, List<Machine> machines) {
        for (Machine machine : machines) {
            servers.put(machine.name(), new Server(machine, Version.parse(cluster.node(machine.name()).version())));
        }
        settle();
    }

    /** An IPv4 address as a number, so 10.10.1.10 sorts after 10.10.1.9. */
    static long numeric(String address) {
        long value = 0;
        for (String part : address.split("\\.")) {
            value = value * 256 + Long.parseLong(part);
        }
        return value;
    }

    @Override
    public int run(Machine machine, List<String> argv, String cwd, Console console) {
        Server server = servers.get(machine.name());
        List<String> args = argv.subList(1, argv.size());
        String command = argv.get(0);
        if (command.equals("service") && !args.isEmpty() && args.get(0).equals("pmxs")) {
            return pmxs(server, args.subList(1, args.size()), console);
        }
        return switch (command) {
            case "pmxs", "/etc/init.d/pmxs", "/opt/polyserve/bin/pmxs" -> pmxs(server, args, console);
            case "mx", "/opt/polyserve/bin/mx" -> mx(server, args, console);
            case "mx-install", "/opt/polyserve/bin/mx-install" -> mxInstall(server, args, console);
            case "psfs", "/opt/polyserve/bin/psfs" -> psfs(server, args, console);
            default -> -1;
        };
    }

    // ---- pmxs ------------------------------------------------------------------------------------------------

    private int pmxs(Server server, List<String> args, Console console) {
        String action = args.size() == 1 ? args.get(0) : "";
        return switch (action) {
            case "start" -> start(server, console);
            case "stop" -> stop(server, console);
            case "restart" -> {
                int stopped = stop(server, console);
                yield stopped != 0 ? stopped : start(server, console);
            }
            case "status" -> status(server, console);
            default -> {
                console.err("Usage: pmxs {start|stop|restart|status}");
                yield 2;
            }
        };
    }

    private int start(Server server, Console console) {
        if (server.running()) {
            console.out("Matrix Server " + server.installed + " is already running");
            return 0;
        }
        String label = "Starting Matrix Server " + server.installed + ":";
        if (server.machine.faults().failStartUntilReboot()) {
            console.out(line(label, false));
            console.err("pmxs: Matrix Server failed to start; reboot the server");
            return 1;
        }
        console.out(line(label, true));
        join(server);
        if (server.state == State.MEMBER) {
            automount(server, console);
        } else {
            console.out(statusText(server));
        }
        return 0;
    }

    private int stop(Server server, Console console) {
        if (!server.running()) {
            console.out("Matrix Server is not running");
            return 0;
        }
        String label = "Stopping Matrix Server " + server.installed + ":";
        if (server.machine.faults().refuseStop()) {
            console.out(line(label, false));
            console.err("pmxs: Matrix Server could not be stopped; it keeps running");
            return 1;
        }
        if (server.psfsMounted) {
            server.psfsMounted = false;
            console.out(line("Unmounting PSFS filesystem " + PSFS + ":", true));
        }
        server.state = State.STOPPED;
        console.out(line(label, true));
        settle();
        return 0;
    }

    private int status(Server server, Console console) {
        if (server.machine.faults().statusFlapsDown()) {
            // flapStatus: a crash-looping server seen down by every other query
            console.out("Matrix Server is stopped (installed version " + server.installed + ")");
            return 3;
        }
        console.out(statusText(server));
        return server.state == State.MEMBER ? 0 : 3;
    }

    private String statusText(Server server) {
        Version newest = newest();
        return switch (server.state) {
            case STOPPED -> "Matrix Server is stopped (installed version " + server.installed + ")";
            case MEMBER -> "Matrix Server " + server.installed + " is running";
            case LEFT_OUT_OF_ORDER -> "Matrix Server " + server.installed + " is running but has left the matrix:"
                    + " a server running " + newest + " joined ahead of a higher-numbered server still running the older release";
            case NOT_ADMITTED -> "Matrix Server " + server.installed + " is running but cannot join the matrix:"
                    + " no active server runs the older release any more; only servers running " + newest + " can join";
        };
    }

    private static String line(String label, boolean ok) {
        return String.format("%-59s%s", label, ok ? OK : FAILED);
    }

    // ---- mx-install ------------------------------------------------------------------------------------------

    private int mxInstall(Server server, List<String> args, Console console) {
        if (args.size() != 1) {
            console.err("Usage: mx-install <version>");
            return 2;
        }
        if (!Version.isValid(args.get(0))) {
            console.err("mx-install: '" + args.get(0) + "' is not a Matrix Server version (e.g. 3.5.1)");
            return 1;
        }
        if (server.running()) {
            console.err("mx-install: Matrix Server " + server.installed + " is running on this server; stop it first with 'pmxs stop'");
            return 1;
        }
        Version version = Version.parse(args.get(0));
        console.out("Installing Matrix Server " + version + " (replacing " + server.installed + ") ...");
        server.installed = version;
        console.out("Matrix Server " + version + " is installed; start it with 'pmxs start'");
        settle();
        return 0;
    }

    // ---- mx --numeric server status -------------------------------------------------------------------------

    private int mx(Server server, List<String> args, Console console) {
        boolean numeric = args.contains("--numeric");
        List<String> rest = args.stream().filter(a -> !a.equals("--numeric")).toList();
        if (!rest.equals(List.of("server", "status"))) {
            console.err("Usage: mx [--numeric] server status");
            return 2;
        }
        if (!server.running()) {
            console.err("mx: cannot connect to Matrix Server on " + server.machine.name() + ": it is not running");
            return 1;
        }
        if (server.state != State.MEMBER) {
            console.err("mx: " + server.machine.name() + " is not a member of the matrix");
            return 1;
        }
        // "Run the command mx --numeric server status to determine the IP addresses known to the matrix":
        // the members' cluster addresses, one per line, in ascending numeric order.
        servers.values().stream()
                .filter(s -> s.state == State.MEMBER)
                .sorted(Comparator.comparingLong(s -> s.address))
                .forEach(s -> console.out(numeric ? s.machine.clusterAddress() : s.machine.name()));
        return 0;
    }

    // ---- psfs ------------------------------------------------------------------------------------------------

    private int psfs(Server server, List<String> args, Console console) {
        String action = args.size() == 1 ? args.get(0) : "";
        return switch (action) {
            case "status" -> {
                console.out("PSFS filesystem " + PSFS + " is " + (server.psfsMounted ? "mounted" : "not mounted"));
                yield server.psfsMounted ? 0 : 3;
            }
            case "mount" -> mount(server, console);
            case "umount", "unmount" -> {
                if (server.psfsMounted) {
                    server.psfsMounted = false;
                    console.out(line("Unmounting PSFS filesystem " + PSFS + ":", true));
                } else {
                    console.out("PSFS filesystem " + PSFS + " is not mounted");
                }
                yield 0;
            }
            default -> {
                console.err("Usage: psfs {mount|umount|status}");
                yield 2;
            }
        };
    }

    private int mount(Server server, Console console) {
        if (server.psfsMounted) {
            console.out("PSFS filesystem " + PSFS + " is already mounted");
            return 0;
        }
        String problem = mountProblem(server);
        if (problem != null) {
            console.out(line("Mounting PSFS filesystem " + PSFS + ":", false));
            console.err("psfs: cannot mount " + PSFS + ": " + problem);
            return 1;
        }
        server.psfsMounted = true;
        console.out(line("Mounting PSFS filesystem " + PSFS + ":", true));
        return 0;
    }

    private void automount(Server server, Console console) {
        String problem = mountProblem(server);
        console.out(line("Mounting PSFS filesystem " + PSFS + ":", problem == null));
        if (problem == null) {
            server.psfsMounted = true;
        } else {
            console.out("psfs: cannot mount " + PSFS + ": " + problem);
        }
    }

    /** Why PSFS cannot be mounted on this server now, or null if it can. */
    private String mountProblem(Server server) {
        if (!server.running()) {
            return "Matrix Server is not running on " + server.machine.name();
        }
        if (server.state != State.MEMBER) {
            return server.machine.name() + " is not a member of the matrix";
        }
        Version newest = newest();
        if (older(server, newest)) {
            // "After the PSFS filesystem has been unmounted on the last node running the older release, the
            // filesystem cannot be mounted on a node running the older release unless it is first unmounted on
            // the nodes running 3.5.1."
            boolean olderMounted = servers.values().stream().anyMatch(s -> s.psfsMounted && newest.newerThan(s.installed));
            List<String> newestMounted = servers.values().stream()
                    .filter(s -> s.psfsMounted && !newest.newerThan(s.installed))
                    .map(s -> s.machine.name())
                    .toList();
            if (!olderMounted && !newestMounted.isEmpty()) {
                return "it was unmounted on the last server running the older release (" + server.installed
                        + "); unmount it first on the servers running " + newest + ": " + String.join(", ", newestMounted);
            }
        }
        return null;
    }

    // ---- membership ------------------------------------------------------------------------------------------

    /** The highest version installed on any node: "new"; every lower one is "old". */
    private Version newest() {
        return servers.values().stream().map(s -> s.installed).max(Comparator.naturalOrder()).orElseThrow();
    }

    private boolean older(Server server, Version newest) {
        return newest.newerThan(server.installed);
    }

    /** A server that has just started asks to join the matrix. */
    private void join(Server server) {
        Version newest = newest();
        server.state = !older(server, newest) || olderMayJoin(newest) ? State.MEMBER : State.NOT_ADMITTED;
        settle();
    }

    /**
     * "As long as the matrix includes at least one active server running the old release, other servers running
     * that version will be able to join the matrix ... However, after the last server running the older release
     * has left the matrix, only servers running 3.5.1 can join the matrix." A matrix with no newest-version member
     * is simply the old matrix, which old servers may (re)form. Servers that left only because of an out-of-order
     * upgrade still count: the reference's remedy brings them back.
     */
    private boolean olderMayJoin(Version newest) {
        boolean olderInMatrix = servers.values().stream()
                .anyMatch(s -> older(s, newest) && (s.state == State.MEMBER || s.state == State.LEFT_OUT_OF_ORDER));
        boolean newestMember = servers.values().stream()
                .anyMatch(s -> !older(s, newest) && s.state == State.MEMBER);
        return olderInMatrix || !newestMember;
    }

    /**
     * "If a server is accidentally upgraded out of order, when a higher-number server joins the matrix, the servers
     * still running the old version of Matrix Server will think they need to leave the matrix": a newest-version
     * member has a lower cluster address than a running older-version server.
     */
    private boolean outOfOrder(Version newest) {
        return servers.values().stream()
                .filter(n -> n.state == State.MEMBER && !older(n, newest))
                .anyMatch(n -> servers.values().stream()
                        .anyMatch(o -> o.running() && older(o, newest) && o.address > n.address));
    }

    /** Applies the membership rules until nothing changes. */
    private void settle() {
        boolean changed = true;
        while (changed) {
            changed = false;
            Version newest = newest();
            boolean outOfOrder = outOfOrder(newest);
            for (Server server : servers.values()) {
                State before = server.state;
                if (!server.running()) {
                    continue;
                }
                if (!older(server, newest)) {
                    server.state = State.MEMBER;
                } else if (outOfOrder && server.state == State.MEMBER) {
                    server.state = State.LEFT_OUT_OF_ORDER;
                } else if (!outOfOrder && server.state == State.LEFT_OUT_OF_ORDER) {
                    // "To correct this problem, stop Matrix Server on the node that was upgraded out of order."
                    server.state = State.MEMBER;
                } else if (server.state == State.NOT_ADMITTED && olderMayJoin(newest)) {
                    server.state = State.MEMBER;
                }
                changed |= before != server.state;
            }
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    @Override
    public void shutdown(Machine machine) {
        Server server = servers.get(machine.name());
        server.psfsMounted = false;
        server.state = State.STOPPED;
        settle();
    }

    @Override
    public void boot(Machine machine) {
        start(servers.get(machine.name()), new Console());
    }

    @Override
    public String runningVersion(Machine machine) {
        Server server = servers.get(machine.name());
        return server.running() ? server.installed.text() : null;
    }

    @Override
    public String installedVersion(Machine machine) {
        return servers.get(machine.name()).installed.text();
    }

    @Override
    public boolean active(Machine machine) {
        return machine.up() && servers.get(machine.name()).state == State.MEMBER;
    }

    State state(String nodeName) {
        return servers.get(nodeName).state;
    }

    boolean psfsMounted(String nodeName) {
        return servers.get(nodeName).psfsMounted;
    }

    /** The members' node names in ascending cluster-address order. */
    List<String> members() {
        return servers.values().stream()
                .filter(s -> s.state == State.MEMBER)
                .sorted(Comparator.comparingLong(s -> s.address))
                .map(s -> s.machine.name())
                .collect(Collectors.toCollection(ArrayList::new));
    }

    @Override
    public String describe(Machine machine) {
        Server server = servers.get(machine.name());
        return machine.name() + " (" + machine.clusterAddress() + "): " + server.installed + " " + server.state
                + (server.psfsMounted ? ", PSFS mounted" : "");
    }
}
