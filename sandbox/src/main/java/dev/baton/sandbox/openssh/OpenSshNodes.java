package dev.baton.sandbox.openssh;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A Matrix Server cluster of real OpenSSH hosts on this machine, for the benchmark's "real OpenSSH hosts" scenario and
 * the services' integration tests: one {@link OpenSshServer} ({@code /usr/sbin/sshd -D -f <own config>}) per node, each on its own
 * loopback address ({@code sshHost} of the
 * {@link FleetSpec.Cluster} describing it) and a free port, with its own ed25519 host key, the client's public key
 * as {@code AuthorizedKeysFile}, and through {@code SetEnv} its own {@code HOME} (the node's directory) and a
 * {@code PATH} that starts with the node's {@code bin} directory, where small POSIX shell scripts play the
 * product: {@code pmxs stop|start|status}, {@code mx-install <version>} and {@code mx [--numeric] server status},
 * with the outputs the matrix-server procedure's health probe expects (as sandbox's simulated {@code MatrixServer}
 * prints them). Each of {@code pmxs stop}, {@code mx-install} and {@code pmxs start} first sleeps the node's
 * {@link StepTimes} for it (the bench derives them from the node's {@code slowCommands}, so its physical limit is
 * computed exactly as for the simulated fleet).
 *
 * <p>State lives in files: {@code <node>/installed-version}, {@code <node>/running}; the matrix's membership is one
 * file per running node, named by its cluster address, in the cluster's shared {@code members} directory (no
 * out-of-order rules: every running node is a member). {@link #close()} stops every sshd and its sessions.
 * Touches no topic; {@link #registration} builds the {@code ClusterRegistered} the caller publishes.
 */
public final class OpenSshNodes implements AutoCloseable {
    /** No node waits in its scripts. */
    public static final StepTimes NO_WAIT = new StepTimes(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    /**
     * One node.
     *
     * @param home the node's directory: its HOME, scripts ({@code bin/}) and state files
     */
    public record Node(String name, String sshHost, int sshPort, String clusterAddress, Path home) {

        /** The installed version, as {@code mx-install} last wrote it. */
        public String installedVersion() {
            try {
                return Files.readString(home.resolve("installed-version")).trim();
            } catch (IOException e) {
                return null;
            }
        }

        /** Whether Matrix Server runs (what {@code pmxs status} says). */
        public boolean running() {
            return Files.exists(home.resolve("running"));
        }

        /** The running version, or null when stopped: what a user would check on the node. */
        public String runningVersion() {
            return running() ? installedVersion() : null;
        }
    }

    private final List<Node> nodes;
    private final List<OpenSshServer> servers;
    private final Path knownHosts;

    private OpenSshNodes(List<Node> nodes, List<OpenSshServer> servers, Path knownHosts) {
        this.nodes = List.copyOf(nodes);
        this.servers = servers;
        this.knownHosts = knownHosts;
    }

    /** Why real OpenSSH nodes cannot run here (with what to install), or empty when they can. */
    public static Optional<String> missingTools() {
        return OpenSshServer.missingTools();
    }

    /** As {@link #start(FleetSpec.Cluster, Path, Path, Function)} with scripts that never wait. */
    public static OpenSshNodes start(FleetSpec.Cluster cluster, Path workDir, Path clientPrivateKey)
            throws IOException, InterruptedException {
        return start(cluster, workDir, clientPrivateKey, node -> NO_WAIT);
    }

    /**
     * Starts one sshd per node of {@code cluster} (its {@code sshHost}, {@code clusterAddress}, version and
     * {@code times}) under {@code workDir}, authorising the public key of {@code clientPrivateKey} (its {@code .pub}
     * file, else derived from the unencrypted key), and writes {@code workDir/known_hosts} with every node's host key.
     */
    public static OpenSshNodes start(FleetSpec.Cluster cluster, Path workDir, Path clientPrivateKey,
                                     Function<FleetSpec.Node, StepTimes> times) throws IOException, InterruptedException {
        Optional<String> missing = missingTools();
        if (missing.isPresent()) {
            throw new IllegalStateException(missing.get());
        }
        Files.createDirectories(workDir);
        Path authorizedKeys = workDir.resolve("authorized_keys");
        Path publicKey = clientPrivateKey.resolveSibling(clientPrivateKey.getFileName() + ".pub");
        Files.writeString(authorizedKeys, (Files.exists(publicKey) ? Files.readString(publicKey)
                : OpenSshServer.keygen("-y", "-f", clientPrivateKey.toString())).trim() + "\n");
        Path membersDir = Files.createDirectories(workDir.resolve("cluster/members"));
        List<Node> nodes = new ArrayList<>();
        List<OpenSshServer> servers = new ArrayList<>();
        List<String> knownHostsLines = new ArrayList<>();
        OpenSshNodes started = new OpenSshNodes(nodes, servers, workDir.resolve("known_hosts"));
        try {
            for (FleetSpec.Node spec : cluster.nodes()) {
                Path dir = Files.createDirectories(workDir.resolve("nodes").resolve(spec.name()));
                Path home = dir.resolve("home");
                writeNodeFiles(home, spec.name(), spec.clusterAddress(), membersDir,
                        spec.version() == null ? cluster.version() : spec.version(), times.apply(spec));
                OpenSshServer server = OpenSshServer.start(spec.name(), spec.sshHost(), dir, authorizedKeys,
                        sessionEnvironment(spec.name(), home));
                servers.add(server);
                nodes.add(new Node(spec.name(), spec.sshHost(), server.port(), spec.clusterAddress(), home));
                knownHostsLines.add(server.knownHostsLine());
            }
            Files.write(started.knownHosts, knownHostsLines);
            return new OpenSshNodes(nodes, servers, started.knownHosts);
        } catch (IOException | InterruptedException | RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** The per-node times of the three slowed commands ({@code pmxs stop}, {@code mx-install}, {@code pmxs start}). */
    public record StepTimes(Duration stop, Duration install, Duration start) {
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** known_hosts holding every node's host key ({@code [host]:port ssh-ed25519 ...}), for Ansible's ssh. */
    public Path knownHostsFile() {
        return knownHosts;
    }

    /** The known_hosts lines of every node, to append to another known_hosts file (the services'). */
    public List<String> knownHostsLines() throws IOException {
        return Files.readAllLines(knownHosts);
    }

    /** The cluster as fleet management registers it on {@code baton.clusters.v1}. */
    public ClusterRegistered registration(String clusterId, String sshUser) {
        List<ClusterRegistered.Node> registered = nodes.stream().map(n -> new ClusterRegistered.Node(n.name(), n.sshHost(),
                n.sshPort(), sshUser, n.clusterAddress(), List.of(n.clusterAddress()), "x86_64", "debian-12", Map.of())).toList();
        return new ClusterRegistered(clusterId, "matrix-server", "matrix-server", null, registered);
    }

    /** Stops every sshd: first its per-connection children (the sessions), then the listener. */
    @Override
    public void close() {
        servers.forEach(OpenSshServer::close);
    }

    // ---- the files of one node (package-private for the unit tests) -------------------------------------------------

    /** The sshd_config lines that give each session of node {@code name} its own HOME and the product's PATH. */
    public static List<String> sessionEnvironment(String name, Path home) {
        return List.of(
                "# Matrix Server node " + name + ": sshd sets these in every session, over its defaults: the node's own",
                "# home (its bash reads the node's .bashrc, which moves there) and the product's commands first on the PATH",
                "SetEnv " + setEnv("BATON_NODE_DIR", home.toString()) + " " + setEnv("HOME", home.toString()) + " "
                        + setEnv("PATH", home.resolve("bin") + ":/usr/bin:/bin"));
    }

    private static String setEnv(String name, String value) {
        if (value.contains("\"")) {
            throw new IllegalArgumentException(name + ": a path with a double quote cannot go into SetEnv: " + value);
        }
        return name + "=\"" + value + "\"";
    }

    /** A known_hosts line for a node on a non-standard port: {@code [host]:port type key}. */
    public static String knownHostsLine(String host, int port, String hostPublicKey) {
        return OpenSshServer.knownHostsLine(host, port, hostPublicKey);
    }

    /** Writes a node's home: the scripts in {@code bin/}, {@code node.env}, {@code .bashrc} and its state files. */
    public static void writeNodeFiles(Path home, String name, String clusterAddress, Path membersDir, String version, StepTimes times)
            throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("node.env"), nodeEnv(name, clusterAddress, membersDir, times));
        Files.writeString(home.resolve(".bashrc"), BASHRC);
        script(bin.resolve("pmxs"), PMXS);
        script(bin.resolve("mx-install"), MX_INSTALL);
        script(bin.resolve("mx"), MX);
        Files.writeString(home.resolve("installed-version"), version + "\n");
        Files.writeString(home.resolve("running"), "");
        Files.writeString(membersDir.resolve(clusterAddress), name + "\n");
    }

    public static String nodeEnv(String name, String clusterAddress, Path membersDir, StepTimes times) {
        if (membersDir.toString().contains("'")) {
            throw new IllegalArgumentException("a path with a single quote cannot go into node.env: " + membersDir);
        }
        return """
                # generated by Baton's bench (OpenSshNodes): this node's identity and step times
                MX_NODE_NAME='%s'
                MX_CLUSTER_ADDRESS='%s'
                MX_MEMBERS_DIR='%s'
                MX_STOP_SECONDS=%s
                MX_INSTALL_SECONDS=%s
                MX_START_SECONDS=%s
                """.formatted(name, clusterAddress, membersDir, seconds(times.stop()), seconds(times.install()),
                seconds(times.start()));
    }

    /** Seconds as sleep(1) takes them: 0.5, 2, 0. */
    public static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    public static final String BASHRC = """
            # generated by Baton's bench (OpenSshNodes). On a real host sshd starts each session in the login user's home;
            # these nodes share one Unix user, so sshd's SetEnv gives each its own HOME and this moves the session there
            # (Baton's executor keeps its ledger in .baton/ledger relative to it, one per node as on real hosts).
            cd "$HOME" || exit 1
            """;

    public static final String PMXS = """
            #!/bin/sh
            # pmxs: Matrix Server's service script on a Baton bench node (generated by OpenSshNodes).
            # State: $BATON_NODE_DIR/installed-version and $BATON_NODE_DIR/running; membership of the matrix: a file
            # named by this node's cluster address in the cluster's shared members directory while it runs.
            . "$BATON_NODE_DIR/node.env"
            installed=$(cat "$BATON_NODE_DIR/installed-version")
            line() { printf '%-59s%s\\n' "$1" "$2"; }
            [ $# -eq 1 ] || set -- usage
            case "$1" in
              stop)
                [ "$MX_STOP_SECONDS" = 0 ] || sleep "$MX_STOP_SECONDS"
                if [ ! -e "$BATON_NODE_DIR/running" ]; then
                  echo "Matrix Server is not running"
                  exit 0
                fi
                rm -f "$MX_MEMBERS_DIR/$MX_CLUSTER_ADDRESS"
                line "Unmounting PSFS filesystem /psfs:" "[  OK  ]"
                rm -f "$BATON_NODE_DIR/running"
                line "Stopping Matrix Server $installed:" "[  OK  ]"
                ;;
              start)
                [ "$MX_START_SECONDS" = 0 ] || sleep "$MX_START_SECONDS"
                if [ -e "$BATON_NODE_DIR/running" ]; then
                  echo "Matrix Server $installed is already running"
                  exit 0
                fi
                : > "$BATON_NODE_DIR/running"
                line "Starting Matrix Server $installed:" "[  OK  ]"
                printf '%s\\n' "$MX_NODE_NAME" > "$MX_MEMBERS_DIR/.$MX_CLUSTER_ADDRESS.tmp"
                mv -f "$MX_MEMBERS_DIR/.$MX_CLUSTER_ADDRESS.tmp" "$MX_MEMBERS_DIR/$MX_CLUSTER_ADDRESS"
                line "Mounting PSFS filesystem /psfs:" "[  OK  ]"
                ;;
              status)
                if [ -e "$BATON_NODE_DIR/running" ]; then
                  echo "Matrix Server $installed is running"
                  exit 0
                fi
                echo "Matrix Server is stopped (installed version $installed)"
                exit 3
                ;;
              *)
                echo "Usage: pmxs {start|stop|status}" >&2
                exit 2
                ;;
            esac
            """;

    public static final String MX_INSTALL = """
            #!/bin/sh
            # mx-install <version>: installs Matrix Server <version> on a stopped Baton bench node (generated by OpenSshNodes).
            . "$BATON_NODE_DIR/node.env"
            [ "$MX_INSTALL_SECONDS" = 0 ] || sleep "$MX_INSTALL_SECONDS"
            if [ $# -ne 1 ]; then
              echo "Usage: mx-install <version>" >&2
              exit 2
            fi
            case "$1" in
              ''|*[!0-9.]*|.*|*.|*..*)
                echo "mx-install: '$1' is not a Matrix Server version (e.g. 3.5.1)" >&2
                exit 1
                ;;
            esac
            installed=$(cat "$BATON_NODE_DIR/installed-version")
            if [ -e "$BATON_NODE_DIR/running" ]; then
              echo "mx-install: Matrix Server $installed is running on this server; stop it first with 'pmxs stop'" >&2
              exit 1
            fi
            echo "Installing Matrix Server $1 (replacing $installed) ..."
            printf '%s\\n' "$1" > "$BATON_NODE_DIR/.installed-version.tmp"
            mv -f "$BATON_NODE_DIR/.installed-version.tmp" "$BATON_NODE_DIR/installed-version"
            echo "Matrix Server $1 is installed; start it with 'pmxs start'"
            """;

    public static final String MX = """
            #!/bin/sh
            # mx [--numeric] server status: the members of the matrix, lowest cluster address first (generated by OpenSshNodes).
            . "$BATON_NODE_DIR/node.env"
            numeric=no
            words=
            for arg in "$@"; do
              if [ "$arg" = --numeric ]; then numeric=yes; else words="$words $arg"; fi
            done
            if [ "$words" != " server status" ]; then
              echo "Usage: mx [--numeric] server status" >&2
              exit 2
            fi
            if [ ! -e "$BATON_NODE_DIR/running" ]; then
              echo "mx: cannot connect to Matrix Server on $MX_NODE_NAME: it is not running" >&2
              exit 1
            fi
            cd "$MX_MEMBERS_DIR" || exit 1
            for address in $(ls | sort -t . -k 1,1n -k 2,2n -k 3,3n -k 4,4n); do
              if [ "$numeric" = yes ]; then echo "$address"; else cat "$address" 2>/dev/null; fi
            done
            """;
}
