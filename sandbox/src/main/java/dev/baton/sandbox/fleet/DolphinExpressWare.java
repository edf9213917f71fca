package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dolphin eXpressWare on a simulated cluster, after {@code reference/dolphin-expressware-rolling-update.txt}:
 * {@code dis_services stop|start|restart|status} and the SIA {@code sh ./Dolphin_eXpressWare-<v>.sh} with
 * {@code --build-rpm} and {@code --install-node --use-rpms <path> [--reboot] [--enforce]}. Nodes are independent.
 * The cluster's {@code applications} (step 3: "applications which use the eXpressWare software stack, like a database
 * server using SuperSockets") run on every node, {@code service NAME stop|start|status}; while one runs, the services
 * cannot be stopped (so an update without stopping them needs a reboot to load). They start again at boot.
 * Touches no topic.
 */
final class DolphinExpressWare implements SimulatedProduct {

    /** The services in the order {@code dis_services stop} stops them (the reference's sample output). */
    static final List<String> SERVICES = List.of(
            "Dolphin SuperSockets drivers",
            "Dolphin SISCI driver",
            "Dolphin Node Manager",
            "Dolphin IRM driver",
            "Dolphin PX driver",
            "Dolphin KOSIF driver");

    /** The same services in the order they start (the reverse). */
    static final List<String> START_ORDER = List.of(
            "Dolphin KOSIF driver",
            "Dolphin PX driver",
            "Dolphin IRM driver",
            "Dolphin Node Manager",
            "Dolphin SISCI driver",
            "Dolphin SuperSockets drivers");

    static final Pattern INSTALLER = Pattern.compile("Dolphin_eXpressWare-(\\d+(?:\\.\\d+)*)\\.sh");
    private static final String OK = "[  OK  ]";
    private static final String FAILED = "[FAILED]";

    private final Map<String, NodeState> nodes = new HashMap<>();
    private final List<String> applications;

    /** What one node has: the version on disk, the version loaded (null = services stopped), the applications running. */
    private static final class NodeState {
        Version installed;
        Version running;
        final java.util.Set<String> applications = new java.util.TreeSet<>();

        NodeState(Version installed) {
            this.installed = installed;
            this.running = installed;
        }
    }

    DolphinExpressWare(FleetSpec.Cluster cluster, List<Machine> machines) {
        this.applications = cluster.applications();
        for (Machine machine : machines) {
            FleetSpec.Node node = cluster.node(machine.name());
            NodeState state = new NodeState(Version.parse(node.version()));
            state.applications.addAll(applications);
            nodes.put(machine.name(), state);
            for (String installer : cluster.installers()) {
                machine.files().write(machine.home() + "/Dolphin_eXpressWare-" + installer + ".sh",
                        "#!/bin/sh\n# Dolphin eXpressWare " + installer + " software installation archive (simulated)\n");
            }
        }
    }

    /** Formats a status line exactly as the reference's sample: the label padded to column 60, then the result. */
    static String statusLine(String label, boolean ok) {
        return String.format("%-59s%s", label, ok ? OK : FAILED);
    }

    /** The installers (the SIA, {@code Dolphin_eXpressWare-<version>.sh}) are the scripts a Dolphin node runs. */
    @Override
    public boolean runsScript(String fileName) {
        return INSTALLER.matcher(fileName).matches();
    }

    @Override
    public String scripts() {
        return "the Dolphin eXpressWare installer (SIA)";
    }

    @Override
    public int run(Machine machine, List<String> argv, String cwd, Console console) {
        String command = argv.get(0);
        if (command.equals("dis_services") || command.endsWith("/dis_services")) {
            return disServices(machine, argv.subList(1, argv.size()), console);
        }
        if (command.equals("service") && argv.size() == 3 && applications.contains(argv.get(1))) {
            return application(machine, argv.get(1), argv.get(2), console);
        }
        Matcher installer = INSTALLER.matcher(VirtualFiles.fileName(command));
        if (installer.matches()) {
            return installer(machine, installer.group(1), argv.subList(1, argv.size()), cwd, console);
        }
        return -1;
    }

    // ---- dis_services ------------------------------------------------------------------------------------------

    private int disServices(Machine machine, List<String> args, Console console) {
        String action = args.size() == 1 ? args.get(0) : "";
        return switch (action) {
            case "stop" -> stop(machine, console) ? 0 : 1;
            case "start" -> start(machine, console) ? 0 : 1;
            case "restart" -> stop(machine, console) && start(machine, console) ? 0 : 1;
            case "status" -> status(machine, console);
            default -> {
                console.err("Usage: dis_services {start|stop|restart|status}");
                yield 2;
            }
        };
    }

    // ---- the applications that use the services (step 3) ---------------------------------------------------------

    private int application(Machine machine, String name, String action, Console console) {
        NodeState state = nodes.get(machine.name());
        switch (action) {
            case "stop" -> {
                state.applications.remove(name);
                console.out(statusLine("Stopping " + name, true));
                return 0;
            }
            case "start" -> {
                if (state.applications.contains(name)) {
                    console.out(name + " is already running");
                    return 0;
                }
                if (state.running == null) {
                    console.out(statusLine("Starting " + name, false));
                    console.err(name + ": Dolphin SuperSockets is not running on this Cluster Node");
                    return 1;
                }
                state.applications.add(name);
                console.out(statusLine("Starting " + name, true));
                return 0;
            }
            case "status" -> {
                boolean running = state.applications.contains(name);
                console.out(name + " is " + (running ? "running" : "stopped"));
                return running ? 0 : 3;
            }
            default -> {
                console.err("Usage: service " + name + " {start|stop|status}");
                return 2;
            }
        }
    }

    /**
     * Stops the services; with {@code refuseStop}, or while an application uses them, the first one fails and all keep
     * running.
     */
    private boolean stop(Machine machine, Console console) {
        NodeState state = nodes.get(machine.name());
        if (state.running != null && !state.applications.isEmpty()) {
            console.out(statusLine("Stopping " + SERVICES.get(0), false));
            console.err("dis_services: " + SERVICES.get(0) + " could not be stopped: in use by "
                    + String.join(", ", state.applications) + " (stop the applications that use them first)");
            return false;
        }
        if (state.running != null && machine.faults().refuseStop()) {
            console.out(statusLine("Stopping " + SERVICES.get(0), false));
            console.err("dis_services: " + SERVICES.get(0) + " could not be stopped: the driver is in use");
            return false;
        }
        for (String service : SERVICES) {
            console.out(statusLine("Stopping " + service, true));
        }
        state.running = null;
        return true;
    }

    /** Starts the services, which loads the installed version; with {@code failStartUntilReboot} they fail. */
    private boolean start(Machine machine, Console console) {
        NodeState state = nodes.get(machine.name());
        if (state.running != null) {
            for (String service : START_ORDER) {
                console.out(statusLine("Starting " + service, true));
            }
            return true;
        }
        if (machine.faults().failStartUntilReboot()) {
            String first = START_ORDER.get(0);
            console.out(statusLine("Starting " + first, false));
            console.err("dis_services: " + first + " failed to start; a reboot of the Cluster Node will fix the problem");
            return false;
        }
        for (String service : START_ORDER) {
            console.out(statusLine("Starting " + service, true));
        }
        state.running = state.installed;
        return true;
    }

    private int status(Machine machine, Console console) {
        NodeState state = nodes.get(machine.name());
        // flapStatus: a crash-looping service seen down by every other query
        boolean active = state.running != null && !machine.faults().statusFlapsDown();
        console.out("Running version: " + (active ? state.running : "none"));
        console.out("Installed version: " + state.installed);
        for (String service : START_ORDER) {
            console.out(service + ": " + (active ? "running" : "stopped"));
        }
        console.out("Node status: " + (active ? "active" : "disabled"));
        return active ? 0 : 3;
    }

    // ---- the SIA (software installation archive) ---------------------------------------------------------------

    private int installer(Machine machine, String versionText, List<String> args, String cwd, Console console) {
        String sia = "Dolphin_eXpressWare-" + versionText + ".sh";
        Version version = Version.parse(versionText);
        boolean buildRpm = false;
        boolean installNode = false;
        boolean reboot = false;
        boolean enforce = false;
        String rpmPath = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--build-rpm" -> buildRpm = true;
                case "--install-node" -> installNode = true;
                case "--reboot" -> reboot = true;
                case "--enforce" -> enforce = true;
                case "--use-rpms" -> {
                    if (i + 1 >= args.size()) {
                        console.err(sia + ": --use-rpms needs the directory where the binary RPM packages were built");
                        return 1;
                    }
                    rpmPath = args.get(++i);
                }
                default -> {
                    console.err(sia + ": unknown option '" + args.get(i) + "'");
                    console.err(usage(sia));
                    return 1;
                }
            }
        }
        if (buildRpm == installNode) {
            console.err(usage(sia));
            return 1;
        }
        if (buildRpm) {
            return buildRpm(machine, version, cwd, console);
        }
        if (rpmPath == null) {
            console.err(sia + ": the simulator installs from binary RPM packages only: add --use-rpms <path>");
            return 1;
        }
        return installNode(machine, version, VirtualFiles.resolve(cwd, rpmPath), reboot, enforce, console);
    }

    private static String usage(String sia) {
        return "Usage: sh " + sia + " --build-rpm | --install-node --use-rpms <path> [--reboot] [--enforce]";
    }

    /** Step 2: the packages land in node_RPMS and frontend_RPMS of the current directory, for this arch and OS. */
    private int buildRpm(Machine machine, Version version, String cwd, Console console) {
        console.out("Dolphin eXpressWare " + version + " software installation (SIA)");
        console.out("Building binary RPM packages for " + machine.os() + " " + machine.arch() + " ...");
        for (String kind : List.of("node", "frontend")) {
            String directory = cwd + (cwd.endsWith("/") ? "" : "/") + kind + "_RPMS";
            String file = directory + "/" + Rpm.fileName(kind, version, machine);
            if (!machine.files().write(file, new Rpm(kind, version.text(), machine.arch(), machine.os()).content())) {
                console.err("Dolphin_eXpressWare-" + version + ".sh: cannot create " + directory);
                return 1;
            }
        }
        String shown = cwd.equals("/") ? "" : cwd;
        console.out("The created binary RPM packages are stored in " + shown + "/node_RPMS and " + shown + "/frontend_RPMS");
        return 0;
    }

    /** Step 5: install from binary RPMs, stopping the services itself and starting the updated ones. */
    private int installNode(Machine machine, Version version, String rpmDir, boolean reboot, boolean enforce, Console console) {
        String sia = "Dolphin_eXpressWare-" + version + ".sh";
        NodeState state = nodes.get(machine.name());
        String problem = rpmProblem(machine, version, rpmDir);
        if (problem != null) {
            console.err(sia + ": " + problem);
            return 1;
        }
        // "If for some reason you want to re-install the same version, or even an older version ... than is
        // currently installed, you need to use the --enforce option."
        if (!version.newerThan(state.installed) && !enforce) {
            console.err(sia + ": Dolphin eXpressWare " + state.installed + " is installed; installing the same or an older"
                    + " version (" + version + ") needs --enforce");
            return 1;
        }
        console.out("Installing Dolphin eXpressWare " + version + " from the binary RPM packages in " + rpmDir);
        // "The SIA will also try to stop all services when doing an update installation."
        boolean stopped = stop(machine, new Console());
        if (stopped) {
            for (String service : SERVICES) {
                console.out(statusLine("Stopping " + service, true));
            }
        } else {
            console.out(statusLine("Stopping " + SERVICES.get(0), false));
        }
        state.installed = version;
        console.out("Installed Dolphin eXpressWare " + version + " (" + machine.os() + " " + machine.arch() + ")");
        if (!stopped) {
            // "If the services could not be stopped in step 4, a reboot is required to allow the updated drivers to
            // be loaded. Otherwise, the new drivers will only be installed on disk, but will not be loaded and used."
            console.out("The services could not be stopped: Dolphin eXpressWare " + version
                    + " is installed on disk but not loaded; " + state.running + " keeps running until restart.");
            console.out("A reboot of the Cluster Node is required to load the updated drivers"
                    + (reboot ? "." : " (use --reboot)."));
        }
        if (reboot) {
            // "Adding the option --reboot will reboot the Cluster Node after the installation has been successful."
            console.out("Rebooting the Cluster Node ...");
            console.requestReboot();
            return 0;
        }
        if (!stopped) {
            return 0;
        }
        // "The updated services will be started by the installation"
        Console starting = new Console();
        boolean started = start(machine, starting);
        console.write(starting.stdout());
        console.writeErr(starting.stderr());
        if (!started) {
            console.err(sia + ": the updated services failed to start; a reboot of the Cluster Node will fix the problem");
            return 1;
        }
        console.out("Dolphin eXpressWare " + version + " is installed and running");
        return 0;
    }

    /** Why the RPMs in {@code rpmDir} cannot install {@code version} on this machine, or null if they can. */
    private static String rpmProblem(Machine machine, Version version, String rpmDir) {
        VirtualFiles files = machine.files();
        if (!files.isDirectory(rpmDir)) {
            return "--use-rpms " + rpmDir + ": no such directory";
        }
        String nodeRpms = (rpmDir.equals("/") ? "" : rpmDir) + "/node_RPMS";
        List<Rpm> rpms = new ArrayList<>();
        if (files.isDirectory(nodeRpms)) {
            for (String name : files.list(nodeRpms)) {
                Rpm rpm = Rpm.parse(files.read(nodeRpms + "/" + name));
                if (rpm != null && rpm.kind().equals("node")) {
                    rpms.add(rpm);
                }
            }
        }
        if (rpms.isEmpty()) {
            return "no binary RPM packages in " + nodeRpms + "; build them first with --build-rpm";
        }
        List<Rpm> ofVersion = rpms.stream().filter(r -> Version.isValid(r.version()) && Version.compare(r.version(), version.text()) == 0)
                .toList();
        if (ofVersion.isEmpty()) {
            return "the binary RPM packages in " + nodeRpms + " are for version " + rpms.get(0).version() + ", not " + version
                    + "; build them with Dolphin_eXpressWare-" + version + ".sh --build-rpm";
        }
        boolean fits = ofVersion.stream().anyMatch(r -> r.arch().equals(machine.arch()) && r.os().equals(machine.os()));
        if (!fits) {
            Rpm other = ofVersion.get(0);
            // "you can use the binary RPM packages built on the first Cluster Node ... on all other Cluster Nodes
            // (if they have the same CPU architecture and Linux version)"
            return "the binary RPM packages in " + nodeRpms + " were built for " + other.os() + " " + other.arch()
                    + ", but this node runs " + machine.os() + " " + machine.arch()
                    + "; build them on a node with the same CPU architecture and Linux version";
        }
        return null;
    }

    /** A simulated binary RPM package; its file content says what it was built for. */
    record Rpm(String kind, String version, String arch, String os) {

        static String fileName(String kind, Version version, Machine machine) {
            return "Dolphin-eXpressWare-" + kind + "-" + version + "-1." + machine.os() + "." + machine.arch() + ".rpm";
        }

        byte[] content() {
            return ("simulated-rpm package=Dolphin-eXpressWare-" + kind + " version=" + version + " arch=" + arch + " os=" + os + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        static Rpm parse(byte[] content) {
            if (content == null) {
                return null;
            }
            String text = new String(content, StandardCharsets.UTF_8).strip();
            if (!text.startsWith("simulated-rpm ")) {
                return null;
            }
            Map<String, String> fields = new HashMap<>();
            for (String pair : text.substring("simulated-rpm ".length()).split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    fields.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            String pkg = fields.getOrDefault("package", "");
            String kind = pkg.substring(pkg.lastIndexOf('-') + 1);
            if (fields.get("version") == null || fields.get("arch") == null || fields.get("os") == null) {
                return null;
            }
            return new Rpm(kind, fields.get("version"), fields.get("arch"), fields.get("os"));
        }
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    @Override
    public void shutdown(Machine machine) {
        nodes.get(machine.name()).running = null;
        nodes.get(machine.name()).applications.clear();
    }

    @Override
    public void boot(Machine machine) {
        // The services start at boot and load whatever is installed (failStartUntilReboot was cleared by the boot);
        // the applications that use them start after them
        if (start(machine, new Console())) {
            nodes.get(machine.name()).applications.addAll(applications);
        }
    }

    /** The applications running on a node (for tests and the sandbox's checks). */
    java.util.Set<String> applicationsRunning(Machine machine) {
        return java.util.Set.copyOf(nodes.get(machine.name()).applications);
    }

    @Override
    public String runningVersion(Machine machine) {
        Version running = nodes.get(machine.name()).running;
        return running == null ? null : running.text();
    }

    @Override
    public String installedVersion(Machine machine) {
        return nodes.get(machine.name()).installed.text();
    }

    @Override
    public boolean active(Machine machine) {
        return machine.up() && nodes.get(machine.name()).running != null;
    }

    @Override
    public String describe(Machine machine) {
        NodeState state = nodes.get(machine.name());
        return machine.name() + ": installed " + state.installed + ", running " + (state.running == null ? "none" : state.running);
    }
}
