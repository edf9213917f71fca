package dev.baton.sandbox.fleet;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.ssh.SshClients;
import dev.baton.ssh.SshConnectException;
import dev.baton.ssh.SshEndpoint;
import dev.baton.ssh.SshSettings;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.baton.ssh.SshConnectException.Reason.AUTH_FAILED;
import static dev.baton.ssh.SshConnectException.Reason.HOST_KEY_MISMATCH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The simulated fleet over real SSH, driven with sshj exactly as executor and health services do. */
class SimulatedFleetIT {

    private static final String SPEC = """
            rebootDowntime: PT0.3S
            clusters:
              - id: lab
                product: dolphin-expressware
                version: 5.20.0
                installers: [5.21.0]
                nodes:
                  - name: dx1
                  - name: dx2
              - id: prod
                product: matrix-server
                version: 3.5.0
                nodes:
                  - {name: srv1, clusterAddress: 10.10.1.1, addresses: [10.10.1.1, 10.10.2.2]}
                  - {name: srv2, clusterAddress: 10.10.1.2, addresses: [10.10.1.2, 10.10.2.1]}
            """;

    @TempDir
    Path workDir;
    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() {
        fleet = SimulatedFleet.start(FleetSpec.parse(SPEC), workDir);
    }

    @AfterEach
    void stopFleet() {
        fleet.close();
    }

    /**
     * A connection made with the ssh module's client, as the services make theirs, of its own (not shared with another
     * exec) and closed when done, so that every exec connects afresh.
     */
    private record Connection(SshClients clients, SshClients.Lease lease) implements AutoCloseable {
        static Connection open(SshSettings settings, SshEndpoint endpoint) throws IOException {
            SshClients clients = SshClients.forCommands(settings);
            try {
                return new Connection(clients, clients.lease(endpoint));
            } catch (IOException | RuntimeException e) {
                clients.close();
                throw e;
            }
        }

        SSHClient client() {
            return lease.client();
        }

        @Override
        public void close() {
            lease.close();
            clients.close();
        }
    }

    /** The fleet's known_hosts and key. */
    private SshSettings settings() {
        return SshSettings.of(fleet.knownHostsFile(), fleet.clientPrivateKey());
    }

    /** What one exec returned; exitStatus is null when the connection dropped before an exit status came. */
    record Exec(Integer exitStatus, String stdout, String stderr) {
    }

    private Connection connect(SimulatedNode node) throws IOException {
        return Connection.open(settings(), new SshEndpoint(node.sshHost(), node.sshPort(), node.sshUser()));
    }

    private Exec exec(SimulatedNode node, String commandLine) throws IOException {
        try (Connection connection = connect(node)) {
            return exec(connection.client(), commandLine);
        }
    }

    /** Runs a command; a connection that drops mid-way yields the output so far and no exit status. */
    private static Exec exec(SSHClient ssh, String commandLine) throws IOException {
        Session session = ssh.startSession();
        Session.Command command = session.exec(commandLine);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            command.getInputStream().transferTo(stdout);
            command.getErrorStream().transferTo(stderr);
            command.join(10, TimeUnit.SECONDS);
        } catch (IOException dropped) {
            // the connection went away: no exit status
        } finally {
            closeQuietly(session);
        }
        return new Exec(command.getExitStatus(), stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already gone
        }
    }

    @Test
    void sftpSeesTheFilesTheShellWritesAndTheShellSeesWhatSftpWrites() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");
        int connectionsBefore = dx1.connectionsAccepted();
        try (Connection connection = connect(dx1)) {
            SSHClient ssh = connection.client();
            assertThat(exec(ssh, "sh Dolphin_eXpressWare-5.21.0.sh --build-rpm").exitStatus()).isZero();
            try (SFTPClient sftp = ssh.newSFTPClient()) {
                assertThat(sftp.ls("/root/node_RPMS")).extracting(RemoteResourceInfo::getName)
                        .containsExactly("Dolphin-eXpressWare-node-5.21.0-1.rhel-9.x86_64.rpm");
                Path local = Files.writeString(workDir.resolve("pushed.txt"), "pushed over sftp\n");
                sftp.mkdirs("/root/incoming");
                sftp.put(local.toString(), "/root/incoming/pushed.txt");
            }
            assertThat(exec(ssh, "cat incoming/pushed.txt").stdout()).isEqualTo("pushed over sftp\n");
        }
        assertThat(dx1.commandLog()).containsExactly("sh Dolphin_eXpressWare-5.21.0.sh --build-rpm", "cat incoming/pushed.txt");
        assertThat(dx1.connectionsAccepted()).isEqualTo(connectionsBefore + 1);
    }

    @Test
    void execsWithTheWrittenKnownHostsAndKey() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");

        Exec result = exec(dx1, "hostname");

        assertThat(result).isEqualTo(new Exec(0, "dx1\n", ""));
        assertThat(dx1.commandLog()).containsExactly("hostname");
        Exec status = exec(dx1, "dis_services status");
        assertThat(status.exitStatus()).isZero();
        assertThat(status.stdout()).contains("Running version: 5.20.0", "Node status: active");
        Exec unknown = exec(dx1, "frobnicate --now");
        assertThat(unknown).isEqualTo(new Exec(127, "", "frobnicate: command not found\n"));
        assertThat(dx1.commandLog()).containsExactly("hostname", "dis_services status", "frobnicate --now");
    }

    @Test
    void writesKeyFilesAndRegistrations() throws IOException {
        assertThat(Files.getPosixFilePermissions(fleet.clientPrivateKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(fleet.clientPrivateKey())).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        List<String> knownHosts = Files.readAllLines(fleet.knownHostsFile());
        assertThat(knownHosts).hasSize(4).allMatch(l -> l.matches("\\[127\\.77\\.\\d\\.\\d]:\\d+ ssh-ed25519 AAAA\\S+"));

        ClusterRegistered prod = fleet.registration("prod");
        assertThat(prod.product()).isEqualTo("matrix-server");
        assertThat(prod.procedure()).isEqualTo("matrix-server");
        assertThat(prod.executorPool()).isNull();
        ClusterRegistered.Node srv2 = prod.node("srv2");
        SimulatedNode node = fleet.node("prod", "srv2");
        assertThat(srv2.sshTarget().host()).isEqualTo("127.77.2.2");
        assertThat(srv2.sshPort()).isEqualTo(node.sshPort()).isPositive();
        assertThat(srv2.sshUser()).isEqualTo("root");
        assertThat(srv2.clusterAddress()).isEqualTo("10.10.1.2");
        assertThat(srv2.addresses()).containsExactly("10.10.1.2", "10.10.2.1");
        assertThat(srv2.arch()).isEqualTo("x86_64");
        assertThat(srv2.os()).isEqualTo("rhel-9");
        assertThat(srv2.labels()).isEmpty();
        assertThat(knownHosts).contains(knownHosts.stream().filter(l -> l.startsWith("[127.77.2.2]:" + node.sshPort() + " ")).findFirst()
                .orElseThrow());
        assertThat(fleet.registrations()).extracting(ClusterRegistered::clusterId).containsExactly("lab", "prod");
    }

    @Test
    void matrixMembershipListsClusterAddressesNotSshHosts() throws IOException {
        Exec members = exec(fleet.node("prod", "srv2"), "mx --numeric server status");

        assertThat(members).isEqualTo(new Exec(0, "10.10.1.1\n10.10.1.2\n", ""));
    }

    @Test
    void aChangedHostKeyIsRejectedBeforeAnyCommandRuns() throws IOException {
        SimulatedNode dx2 = fleet.node("lab", "dx2");
        dx2.changeHostKey();

        assertThatThrownBy(() -> exec(dx2, "dis_services stop"))
                .isInstanceOfSatisfying(SshConnectException.class, e -> assertThat(e.reason()).isEqualTo(HOST_KEY_MISMATCH));

        assertThat(dx2.commandLog()).isEmpty();
        assertThat(dx2.runningVersion()).isEqualTo("5.20.0");

        dx2.restoreHostKey();
        assertThat(exec(dx2, "true").exitStatus()).isZero();
        dx2.faults().hostKeyChanged(true);
        assertThatThrownBy(() -> exec(dx2, "hostname"))
                .isInstanceOfSatisfying(SshConnectException.class, e -> assertThat(e.reason()).isEqualTo(HOST_KEY_MISMATCH));
        assertThat(dx2.commandLog()).containsExactly("true");
    }

    @Test
    void onlyTheFleetKeyAuthenticates() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");
        Path otherKey = workDir.resolve("other_ed25519");
        SshKeys.writePrivateKey(SshKeys.generate(), otherKey, "not the fleet's");
        assertThatThrownBy(() -> Connection.open(SshSettings.of(fleet.knownHostsFile(), otherKey),
                new SshEndpoint(dx1.sshHost(), dx1.sshPort(), "root")))
                .isInstanceOfSatisfying(SshConnectException.class, e -> assertThat(e.reason()).isEqualTo(AUTH_FAILED));
        assertThatThrownBy(() -> Connection.open(settings(), new SshEndpoint(dx1.sshHost(), dx1.sshPort(), "admin")))
                .isInstanceOfSatisfying(SshConnectException.class, e -> assertThat(e.reason()).isEqualTo(AUTH_FAILED));
        assertThat(dx1.commandLog()).isEmpty();
    }

    @Test
    void rebootDropsTheConnectionAndComesBackWithANewBootId() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");
        int port = dx1.sshPort();
        String before = exec(dx1, "cat /proc/sys/kernel/random/boot_id").stdout().strip();
        assertThat(before).isEqualTo(dx1.bootId());

        Exec reboot = exec(dx1, "reboot");

        assertThat(reboot.exitStatus()).as("the connection drops before an exit status").isNull();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> !exec(dx1, "cat /proc/sys/kernel/random/boot_id").stdout().strip().equals(before));
        assertThat(dx1.sshPort()).isEqualTo(port);
        assertThat(dx1.up()).isTrue();
        // services start at boot on the installed version
        assertThat(exec(dx1, "dis_services status").exitStatus()).isZero();
    }

    @Test
    void installWithRebootRestartsOnTheNewVersion() throws IOException {
        SimulatedNode dx2 = fleet.node("lab", "dx2");
        assertThat(exec(dx2, "sh ./Dolphin_eXpressWare-5.21.0.sh --build-rpm").exitStatus()).isZero();
        String before = dx2.bootId();

        Exec install = exec(dx2, "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms . --reboot");

        assertThat(install.stdout()).contains("Rebooting the Cluster Node");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> exec(dx2, "dis_services status").stdout().contains("Running version: 5.21.0"));
        assertThat(dx2.bootId()).isNotEqualTo(before);
    }

    @Test
    void aNodeThatNeverReturnsStaysUnreachable() throws IOException {
        SimulatedNode srv2 = fleet.node("prod", "srv2");
        srv2.faults().neverReturns(true);

        exec(srv2, "reboot");

        await().atMost(Duration.ofSeconds(5)).until(() -> !srv2.up());
        assertThatThrownBy(() -> exec(srv2, "true")).isInstanceOf(IOException.class);
        // the matrix lost a member
        assertThat(exec(fleet.node("prod", "srv1"), "mx --numeric server status").stdout()).isEqualTo("10.10.1.1\n");
        assertThat(srv2.runningVersion()).isNull();
    }

    @Test
    void dropConnectionOnAppliesTheCommandButSendsNoExitStatus() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");
        dx1.faults().dropConnectionOn("dis_services stop");

        Exec stop = exec(dx1, "dis_services stop");

        assertThat(stop.exitStatus()).isNull();
        assertThat(dx1.runningVersion()).isNull();
        assertThat(dx1.commandLog()).containsExactly("dis_services stop");
        Exec status = exec(dx1, "dis_services status");
        assertThat(status.exitStatus()).isEqualTo(3);
        assertThat(status.stdout()).contains("Node status: disabled");
    }

    @Test
    void sessionsRunConcurrently() throws Exception {
        SimulatedNode srv1 = fleet.node("prod", "srv1");
        srv1.faults().slowCommand("pmxs status", Duration.ofSeconds(2));

        CompletableFuture<Exec> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return exec(srv1, "pmxs status");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> srv1.commandLog().contains("pmxs status"));

        Exec fast = exec(srv1, "mx --numeric server status");

        assertThat(fast.exitStatus()).isZero();
        assertThat(slow).isNotDone();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo(new Exec(0, "Matrix Server 3.5.0 is running\n", ""));
    }

    @Test
    void stdinReachesTheCommand() throws IOException {
        SimulatedNode dx1 = fleet.node("lab", "dx1");
        try (Connection connection = connect(dx1); Session session = connection.client().startSession()) {
            Session.Command command = session.exec("cat > /tmp/payload");
            command.getOutputStream().write("copied rpm\n".getBytes(StandardCharsets.UTF_8));
            command.getOutputStream().close();
            command.join(10, TimeUnit.SECONDS);
            assertThat(command.getExitStatus()).isZero();
        }
        assertThat(exec(dx1, "cat /tmp/payload").stdout()).isEqualTo("copied rpm\n");
    }

    @Test
    void theQuarkusResourceRunsTheDemoFleet() throws IOException {
        FleetSandboxResource resource = new FleetSandboxResource();
        resource.init(Map.of());
        Map<String, String> config = resource.start();
        try {
            SimulatedFleet demo = FleetSandboxResource.fleet();
            assertThat(config).containsEntry("baton.ssh.known-hosts", demo.knownHostsFile().toString())
                    .containsEntry("baton.ssh.private-key", demo.clientPrivateKey().toString());
            assertThat(demo.nodes("dolphin-lab")).extracting(SimulatedNode::name).containsExactly("dx1", "dx2", "dx3");
            SimulatedNode srv4 = demo.node("matrix-prod", "srv4");
            assertThat(srv4.sshHost()).isEqualTo("127.77.2.4");
            assertThat(srv4.clusterAddress()).isEqualTo("10.10.1.4");
            try (Connection connection = Connection.open(SshSettings.of(Path.of(config.get("baton.ssh.known-hosts")),
                    Path.of(config.get("baton.ssh.private-key"))), new SshEndpoint(srv4.sshHost(), srv4.sshPort(), "root"))) {
                assertThat(exec(connection.client(), "mx --numeric server status").stdout())
                        .isEqualTo("10.10.1.1\n10.10.1.2\n10.10.1.3\n10.10.1.4\n");
            }
        } finally {
            resource.stop();
        }
        assertThatThrownBy(FleetSandboxResource::fleet).isInstanceOf(IllegalStateException.class);
    }
}
