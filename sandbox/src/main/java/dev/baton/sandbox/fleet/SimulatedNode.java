package dev.baton.sandbox.fleet;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One node of a {@link SimulatedFleet}: a real SSH server (Apache MINA SSHD) on its own loopback address that
 * accepts only the fleet's client key and runs exec'd command lines against the simulated product, and serves its
 * files over SFTP (the subsystem sees the same files as the shell; SFTP requests are not in {@link #commandLog()}). It reboots
 * (unreachable for the fleet's {@code rebootDowntime}, then back with a new boot id) and obeys its {@link Faults}.
 * Touches no topic.
 */
public final class SimulatedNode {

    private static final System.Logger LOG = System.getLogger(SimulatedNode.class.getName());

    private final Machine machine;
    private final SimulatedProduct product;
    private final NodeShell shell;
    private final String sshHost;
    private final String sshUser;
    private final PublicKey authorizedKey;
    private final Duration rebootDowntime;
    private final ExecutorService commands;
    private final ScheduledExecutorService scheduler;
    private final SharedSshIo io;
    private final List<String> commandLog = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final KeyPair knownHostKey;
    private volatile KeyPair hostKey;
    private volatile KeyPair impostorKey;
    private volatile int sshPort;
    private volatile boolean reachable;
    private volatile boolean closed;
    private SshServer server;

    SimulatedNode(Machine machine, SimulatedProduct product, String sshHost, int sshPort, String sshUser,
                  PublicKey authorizedKey, Duration rebootDowntime, ExecutorService commands,
                  ScheduledExecutorService scheduler, SharedSshIo io) {
        this.machine = machine;
        this.product = product;
        this.shell = new NodeShell(machine, product, sshUser);
        shell.onBackgroundReboot(() -> rebootFrom(null));
        this.sshHost = sshHost;
        this.sshPort = sshPort;
        this.sshUser = sshUser;
        this.authorizedKey = authorizedKey;
        this.rebootDowntime = rebootDowntime;
        this.commands = commands;
        this.scheduler = scheduler;
        this.io = io;
        this.knownHostKey = SshKeys.generate();
        this.hostKey = knownHostKey;
    }

    public String name() {
        return machine.name();
    }

    public String clusterId() {
        return machine.clusterId();
    }

    /** The loopback address the node's SSH server binds (127.77.C.N unless the spec says otherwise). */
    public String sshHost() {
        return sshHost;
    }

    /** The port the node's SSH server listens on; it stays the same across reboots. */
    public int sshPort() {
        return sshPort;
    }

    public String sshUser() {
        return sshUser;
    }

    /** The address the cluster itself knows the node by (what {@code mx --numeric server status} lists). */
    public String clusterAddress() {
        return machine.clusterAddress();
    }

    public List<String> addresses() {
        return machine.addresses();
    }

    /** The version the product runs now (Dolphin: loaded services; Matrix: the running server), null if none. */
    public String runningVersion() {
        synchronized (product) {
            return machine.up() ? product.runningVersion(machine) : null;
        }
    }

    /** The version installed on disk. */
    public String installedVersion() {
        synchronized (product) {
            return product.installedVersion(machine);
        }
    }

    /** Whether the product serves on this node: Dolphin services up, or a Matrix Server that is a matrix member. */
    public boolean active() {
        synchronized (product) {
            return reachable && product.active(machine);
        }
    }

    /** What {@code cat /proc/sys/kernel/random/boot_id} prints; a new one after every reboot. */
    public String bootId() {
        return machine.bootId();
    }

    /** Whether the node is booted and its SSH server accepts connections. */
    public boolean up() {
        return reachable;
    }

    /** Every command line exec'd on this node, in order (a connection that never got to exec adds nothing). */
    public List<String> commandLog() {
        return List.copyOf(commandLog);
    }

    /**
     * Every simple command the node's shell ran, in order, as written after {@code sudo} (e.g. {@code pmxs stop}),
     * also those inside {@code sh -c} and detached jobs, but not {@code sh}/{@code setsid}/{@code wait}/{@code sleep}
     * themselves; a command killed before its {@code slowCommands} delay ended is absent. This is what ran on the
     * node, where {@link #commandLog()} is what was asked of it.
     */
    public List<String> executed() {
        return List.copyOf(machine.executed());
    }

    /** How many SSH connections this node has accepted so far (TCP + key exchange), over all its boots. */
    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** The node's fault knobs; changes apply to the next command, connection or reboot. */
    public Faults faults() {
        return machine.faults();
    }

    /** From now on the node presents a new host key that the fleet's known_hosts does not hold. */
    public void changeHostKey() {
        hostKey = SshKeys.generate();
        // whoever now answers at this address is not the machine the open connections were made to: drop them,
        // so every later command must go through a new key exchange (and fail host-key verification)
        SshServer sshd;
        synchronized (this) {
            sshd = server;
        }
        if (sshd != null) {
            sshd.getActiveSessions().forEach(session -> session.close(true));
        }
    }

    /** The node presents the host key written to known_hosts again (undoes {@link #changeHostKey()}). */
    public void restoreHostKey() {
        hostKey = knownHostKey;
        machine.faults().hostKeyChanged(false);
    }

    /** Reboots the node as the {@code reboot} command does: connections drop, it is unreachable, then back. */
    public void reboot() {
        rebootFrom(null);
    }

    /** A one-line description of the node's simulated state, for logs and assertion messages. */
    public String describe() {
        synchronized (product) {
            return product.describe(machine) + (reachable ? "" : " (down)") + ", boot " + machine.bootId();
        }
    }

    @Override
    public String toString() {
        return clusterId() + "/" + name() + "@" + sshHost + ":" + sshPort;
    }

    // ---- package-private: the fleet and the exec channel -------------------------------------------------------

    /** The OpenSSH known_hosts line for the key this node presented when the fleet started. */
    String knownHostsLine() {
        String host = sshPort == 22 ? sshHost : "[" + sshHost + "]:" + sshPort;
        return host + " " + PublicKeyEntry.toString(knownHostKey.getPublic());
    }

    Machine machine() {
        return machine;
    }

    ExecutorService commandPool() {
        return commands;
    }

    void logCommand(String commandLine) {
        commandLog.add(commandLine);
    }

    CommandResult execute(String commandLine, Supplier<byte[]> stdin) {
        return shell.run(commandLine, stdin);
    }

    /**
     * Runs a command line on the node as an operator at its console would (no SSH; what a test does by hand, like
     * {@code psfs umount}), with the same shell and product as an SSH exec.
     */
    public CommandResult console(String commandLine) {
        return shell.run(commandLine, () -> new byte[0]);
    }

    private KeyPair presentedHostKey() {
        if (machine.faults().hostKeyChanged()) {
            KeyPair impostor = impostorKey;
            if (impostor == null) {
                synchronized (this) {
                    if (impostorKey == null) {
                        impostorKey = SshKeys.generate();
                    }
                    impostor = impostorKey;
                }
            }
            return impostor;
        }
        return hostKey;
    }

    /** Starts the SSH server on the node's address and port (the port picked the first time is kept). */
    synchronized void startServer() throws IOException {
        if (closed) {
            return;
        }
        SshServer sshd = SshServer.setUpDefaultServer();
        io.attach(sshd);
        sshd.setHost(sshHost);
        sshd.setPort(sshPort);
        CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        CoreModuleProperties.SOCKET_REUSEADDR.set(sshd, true);
        sshd.setKeyPairProvider(session -> List.of(presentedHostKey()));
        // Public-key authentication with the fleet's one client key, nothing else.
        sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setPublickeyAuthenticator((user, key, session) -> sshUser.equals(user) && KeyUtils.compareKeys(authorizedKey, key));
        sshd.setShellFactory(null);
        sshd.setCommandFactory((channel, commandLine) -> new ExecCommand(this, commandLine));
        // SFTP over the same files the node's shell sees (artifact fetch and push); absolute paths are node paths
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(machine.files().root()));
        sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        sshd.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                connectionsAccepted.incrementAndGet();
            }
        });
        sshd.start();
        server = sshd;
        sshPort = sshd.getPort();
        reachable = true;
    }

    synchronized void stopServer() {
        reachable = false;
        SshServer sshd = server;
        server = null;
        if (sshd != null) {
            try {
                sshd.stop(true);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "stopping the SSH server of " + this, e);
            }
        }
    }

    /**
     * The reboot: the product stops, the connection that asked for it is closed (after its output), the listener
     * goes away; after the downtime the machine boots (new boot id, the product starts) and listens again.
     */
    void rebootFrom(ServerSession session) {
        synchronized (this) {
            if (closed || !machine.up()) {
                return;
            }
            synchronized (product) {
                product.shutdown(machine);
                machine.goDown();
            }
            reachable = false;
        }
        if (session != null) {
            // a graceful close sends the command's output before the connection goes
            try {
                session.close(false).await(Duration.ofSeconds(1));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the rebooting session of " + this, e);
            }
        }
        stopServer();
        scheduler.schedule(this::comeBack, rebootDowntime.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void comeBack() {
        if (closed) {
            return;
        }
        if (machine.faults().neverReturns()) {
            LOG.log(System.Logger.Level.INFO, "{0} does not come back from its reboot (fault neverReturns)", this);
            return;
        }
        synchronized (product) {
            machine.boot();
            product.boot(machine);
        }
        try {
            startServer();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "{0} cannot listen again after its reboot: {1}", this, e.getMessage());
        }
    }

    void close() {
        closed = true;
        stopServer();
    }

    /** Whether a command that started on boot {@code bootId} may still take effect. */
    boolean sameBoot(String bootId) {
        return machine.up() && machine.bootId().equals(bootId) && !closed;
    }
}
