package dev.baton.sandbox.openssh;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of real OpenSSH hosts ({@link OpenSshNodes}) that a client reaches only through a jump host (a second sshd,
 * the bastion, on 127.0.0.1), with a private key that has a passphrase: the set-up of a fleet behind a bastion. Gives
 * the {@code baton.ssh.*} environment a service needs for it (known_hosts with the nodes and the bastion, the key, its
 * passphrase, the jump host). Used by the health IT and the system test that roll such a cluster.
 */
public final class JumpHostCluster implements AutoCloseable {
    private final String user;
    private final Path key;
    private final String passphrase;
    private final Path knownHosts;
    private final OpenSshNodes nodes;
    private final OpenSshServer bastion;

    private JumpHostCluster(String user, Path key, String passphrase, Path knownHosts, OpenSshNodes nodes,
                            OpenSshServer bastion) {
        this.user = user;
        this.key = key;
        this.passphrase = passphrase;
        this.knownHosts = knownHosts;
        this.nodes = nodes;
        this.bastion = bastion;
    }

    /** Starts the cluster's nodes and the bastion under {@code dir}; the nodes and the bastion accept one key. */
    public static JumpHostCluster start(FleetSpec.Cluster cluster, Path dir, String passphrase)
            throws IOException, InterruptedException {
        String user = System.getProperty("user.name");
        Path key = OpenSshServer.userKey(dir.resolve("client"), "id_ed25519", "ed25519", passphrase);
        OpenSshNodes nodes = OpenSshNodes.start(cluster, dir.resolve("nodes"), key);
        try {
            OpenSshServer bastion = OpenSshServer.start("bastion", "127.0.0.1", dir.resolve("bastion"),
                    dir.resolve("nodes/authorized_keys"), List.of());
            Path knownHosts = dir.resolve("known_hosts");
            List<String> lines = new ArrayList<>(nodes.knownHostsLines());
            lines.add(bastion.knownHostsLine());
            Files.write(knownHosts, lines);
            return new JumpHostCluster(user, key, passphrase, knownHosts, nodes, bastion);
        } catch (IOException | InterruptedException | RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    /** {@code BATON_SSH_*}: known_hosts, the key and its passphrase, {@code user@127.0.0.1:port} as the jump host. */
    public Map<String, String> sshEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BATON_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("BATON_SSH_PRIVATE_KEY", key.toString());
        env.put("BATON_SSH_PRIVATE_KEY_PASSPHRASE", passphrase);
        env.put("BATON_SSH_JUMP_HOST", user + "@127.0.0.1:" + bastion.port());
        return env;
    }

    /** The cluster as fleet management registers it, every node reached as this machine's user. */
    public ClusterRegistered registration(String clusterId) {
        return nodes.registration(clusterId, user);
    }

    public OpenSshNodes nodes() {
        return nodes;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public Path privateKey() {
        return key;
    }

    /** Stops the bastion only: the nodes keep running, unreachable from outside. */
    public void stopBastion() {
        bastion.close();
    }

    @Override
    public void close() {
        bastion.close();
        nodes.close();
    }
}
