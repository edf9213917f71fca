package dev.baton.executor.ssh;

import dev.baton.ssh.KnownHostsFile;
import dev.baton.ssh.NoDelaySocketFactory;

import dev.baton.contracts.SshTarget;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;
import org.jboss.logging.Logger;

/**
 * {@link RemoteShell} on sshj: {@code loadKnownHosts → connect → authPublickey → exec → join(timeout) → exit status},
 * with one reused connection per node (TCP_NODELAY, keep-alive, closed after {@code baton.ssh.idle-timeout} unused)
 * and an optional jump host. Host keys are always verified against {@code baton.ssh.known-hosts} (plain, hashed and
 * {@code @cert-authority} entries); there is no accept-all fallback. The only class that talks to sshj.
 * Touches no Kafka topic.
 */
@ApplicationScoped
public class SshjRemoteShell implements RemoteShell {
    private static final Logger LOG = Logger.getLogger(SshjRemoteShell.class);
    /** How long to let output still in flight reach the tail after the command closed its channel. */
    private static final long DRAIN_MILLIS = 2_000;
    private static final Pattern JUMP = Pattern.compile("(?:([^@\\s]+)@)?([^:@\\s]+)(?::(\\d+))?");

    private final SshConfig config;
    private final Config sshjConfig;
    private final ExecutorService outputPumps;
    private final ScheduledExecutorService reaper;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Object> connectLocks = new ConcurrentHashMap<>();
    private volatile KeyProvider keys;

    @Inject
    public SshjRemoteShell(SshConfig config) {
        this.config = config;
        this.sshjConfig = new DefaultConfig();
        this.sshjConfig.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        AtomicInteger count = new AtomicInteger();
        this.outputPumps = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "ssh-output-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ssh-idle-reaper");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, Math.min(30, config.idleTimeout().toSeconds() / 2));
        reaper.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.SECONDS);
    }

    /** Says at startup which files are used, and warns if they cannot be read (paths only, never key content). */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("SSH: known_hosts %s, private key %s (%s), jump host %s, connect timeout %s, idle timeout %s",
                config.knownHosts(), config.privateKey(),
                config.privateKeyPassphrase().isPresent() ? "passphrase given"
                        : config.privateKeyPassphraseFile().map(f -> "passphrase from " + f).orElse("no passphrase"),
                config.jumpHost().orElse("none"), config.connectTimeout(), config.idleTimeout());
        if (!Files.isReadable(config.knownHosts())) {
            LOG.warnf("baton.ssh.known-hosts %s cannot be read: every node will fail with HOST_KEY_MISMATCH",
                    config.knownHosts());
        }
        if (!Files.isReadable(config.privateKey())) {
            LOG.warnf("baton.ssh.private-key %s cannot be read: every node will fail with AUTH_FAILED",
                    config.privateKey());
        }
        try {
            jumpTarget("root");
        } catch (IllegalStateException e) {
            LOG.errorf("%s: every node will fail with EXECUTOR_ERROR until it is corrected", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        reaper.shutdownNow();
        connections.values().forEach(Connection::close);
        connections.clear();
        outputPumps.shutdownNow();
    }

    /** How many connections are open now (for tests and the benchmark). */
    public int openConnections() {
        return (int) connections.values().stream().filter(Connection::usable).count();
    }

    /** Closes every pooled connection, so the next command connects afresh (benchmark: cold connects). */
    public void closeAll() {
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    @Override
    public RemoteSession open(SshTarget target) throws RemoteShellException {
        return new Lease(target, connection(target, null), true);
    }

    /**
     * The pooled connection to the target, or a new one. {@code failed} is a pooled connection that just turned out
     * dead (or null): it is never handed out again.
     */
    private Connection connection(SshTarget target, Connection failed) throws RemoteShellException {
        String key = where(target);
        Connection pooled = connections.get(key);
        if (pooled != null && pooled != failed && pooled.tryAcquire()) {
            return pooled;
        }
        synchronized (connectLocks.computeIfAbsent(key, k -> new Object())) {
            pooled = connections.get(key);
            if (pooled != null && pooled != failed && pooled.tryAcquire()) {
                return pooled; // another command connected meanwhile
            }
            if (pooled != null) {
                connections.remove(key, pooled);
                pooled.close();
            }
            Connection created = connect(key, target);
            created.tryAcquire();
            connections.put(key, created);
            return created;
        }
    }

    private void closeIdle() {
        long idle = config.idleTimeout().toNanos();
        for (Connection c : connections.values()) {
            if (c.closeIfIdle(idle)) {
                connections.remove(c.key, c);
            }
        }
    }

    private static String where(SshTarget target) {
        return target.user() + "@" + target.host() + ":" + target.port();
    }

    private SSHClient newClient() {
        SSHClient client = new SSHClient(sshjConfig);
        client.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        client.setConnectTimeout((int) config.connectTimeout().toMillis());
        client.getConnection().getKeepAlive().setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
        return client;
    }

    /** Connects (directly or through the jump host), verifies the host key and authenticates. */
    private Connection connect(String key, SshTarget target) throws RemoteShellException {
        Optional<SshTarget> jump = jumpTarget(target.user());
        if (jump.isEmpty()) {
            return new Connection(key, connectDirect(target, null), null);
        }
        // one jump connection per node connection: closing the node's connection closes its tunnel too
        SSHClient jumpClient = connectDirect(jump.get(), null);
        try {
            return new Connection(key, connectDirect(target, jumpClient), jumpClient);
        } catch (RemoteShellException e) {
            closeQuietly(jumpClient);
            throw e;
        }
    }

    private Optional<SshTarget> jumpTarget(String defaultUser) {
        return config.jumpHost().filter(j -> !j.isBlank()).map(spec -> {
            Matcher m = JUMP.matcher(spec.strip());
            if (!m.matches()) {
                throw new IllegalStateException("baton.ssh.jump-host '" + spec + "' is not [user@]host[:port]");
            }
            return new SshTarget(m.group(2), m.group(3) == null ? 22 : Integer.parseInt(m.group(3)),
                    m.group(1) == null ? defaultUser : m.group(1));
        });
    }

    private SSHClient connectDirect(SshTarget target, SSHClient via) throws RemoteShellException {
        String where = where(target) + (via == null ? "" : " (through the jump host)");
        SSHClient client = newClient();
        try {
            client.addHostKeyVerifier(KnownHostsFile.verifier(config.knownHosts()));
        } catch (IOException e) {
            closeQuietly(client);
            throw new RemoteShellException(ShellFailure.HOST_KEY_MISMATCH, "known_hosts file " + config.knownHosts()
                    + " could not be read (" + SshjFailures.describe(e) + "); refusing to connect to " + where,
                    null, e);
        }
        try {
            if (via == null) {
                client.connect(target.host(), target.port());
            } else {
                client.connectVia(via.newDirectConnection(target.host(), target.port()));
            }
        } catch (IOException e) {
            closeQuietly(client);
            ShellFailure failure = SshjFailures.whileConnecting(e);
            String message = failure == ShellFailure.HOST_KEY_MISMATCH
                    ? "host key of " + where + " is not the one in " + config.knownHosts()
                            + " (unknown or changed); nothing was run. Verify the node and update known_hosts. ("
                            + SshjFailures.describe(e) + ")"
                    : "cannot reach " + where + ": " + SshjFailures.describe(e);
            throw new RemoteShellException(failure, message, null, e);
        }
        KeyProvider key;
        try {
            key = keys(client);
        } catch (RemoteShellException e) {
            closeQuietly(client);
            throw e;
        }
        try {
            client.authPublickey(target.user(), key);
        } catch (IOException e) {
            closeQuietly(client);
            ShellFailure failure = e instanceof TransportException && !SshjFailures.hostKeyRejected(e)
                    ? ShellFailure.UNREACHABLE : SshjFailures.whileConnecting(e);
            String message = failure == ShellFailure.AUTH_FAILED
                    ? where + " did not accept the key " + config.privateKey() + " for user " + target.user()
                    : "lost " + where + " while authenticating: " + SshjFailures.describe(e);
            throw new RemoteShellException(failure, message, null, e);
        }
        return client;
    }

    /** The executor's key, loaded (and decrypted) once. */
    private KeyProvider keys(SSHClient client) throws RemoteShellException {
        KeyProvider loaded = keys;
        if (loaded != null) {
            return loaded;
        }
        if (!Files.isReadable(config.privateKey())) {
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "private key file " + config.privateKey()
                    + " does not exist or cannot be read; set baton.ssh.private-key (BATON_SSH_PRIVATE_KEY)");
        }
        Optional<String> passphrase = passphrase();
        try {
            loaded = passphrase.isPresent()
                    ? client.loadKeys(config.privateKey().toString(), new Passphrase(passphrase.get()))
                    : client.loadKeys(config.privateKey().toString());
            loaded.getPrivate(); // decrypts now, so a wrong passphrase fails here and not at every node
        } catch (IOException | RuntimeException e) {
            // the exception's own text could quote the key file, so only its type is reported
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "private key file " + config.privateKey()
                    + " could not be loaded (" + e.getClass().getSimpleName() + "; "
                    + (passphrase.isPresent() ? "is the passphrase (baton.ssh.private-key-passphrase or -file) right?"
                    : "is it encrypted? then set baton.ssh.private-key-passphrase or -file") + ")", null, null);
        }
        keys = loaded;
        return loaded;
    }

    /** The passphrase from the config value, else from the passphrase file; empty if neither is set. */
    private Optional<String> passphrase() throws RemoteShellException {
        if (config.privateKeyPassphrase().isPresent()) {
            return config.privateKeyPassphrase();
        }
        if (config.privateKeyPassphraseFile().isEmpty()) {
            return Optional.empty();
        }
        Path file = config.privateKeyPassphraseFile().get();
        try {
            String text = Files.readString(file);
            return Optional.of(text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        } catch (IOException e) {
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "passphrase file " + file
                    + " cannot be read; set baton.ssh.private-key-passphrase-file to a readable file");
        }
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // already gone; nothing to release
        }
    }

    /** Hands the passphrase to sshj on request; never prints it. */
    private static final class Passphrase implements PasswordFinder {
        private final String secret;

        Passphrase(String secret) {
            this.secret = secret;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            return secret.toCharArray();
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return false;
        }

        @Override
        public String toString() {
            return "Passphrase[hidden]";
        }
    }

    /** One authenticated sshj connection in the pool; several leases may use it at once (one channel each). */
    private static final class Connection {
        final String key;
        final SSHClient client;
        final SSHClient jump;
        final AtomicInteger users = new AtomicInteger();
        volatile long lastUsed = System.nanoTime();

        Connection(String key, SSHClient client, SSHClient jump) {
            this.key = key;
            this.client = client;
            this.jump = jump;
        }

        private boolean closed;

        boolean usable() {
            return client.isConnected() && client.isAuthenticated();
        }

        /** Takes the connection for a command; false if it is closed or dead. */
        synchronized boolean tryAcquire() {
            if (closed || !usable()) {
                return false;
            }
            users.incrementAndGet();
            lastUsed = System.nanoTime();
            return true;
        }

        synchronized void release() {
            lastUsed = System.nanoTime();
            users.decrementAndGet();
        }

        /** Closes the connection if no command uses it and it was unused for {@code idleNanos}, or it is dead. */
        synchronized boolean closeIfIdle(long idleNanos) {
            if (!usable() || (users.get() == 0 && System.nanoTime() - lastUsed > idleNanos)) {
                close();
                return true;
            }
            return false;
        }

        synchronized void close() {
            closed = true;
            closeQuietly(client);
            if (jump != null) {
                closeQuietly(jump);
            }
        }
    }

    /** A command's use of a pooled connection. */
    private final class Lease implements RemoteSession {
        private final SshTarget target;
        private final String where;
        private Connection connection;
        private boolean reused;
        private boolean released;

        Lease(SshTarget target, Connection connection, boolean mayBeReused) {
            this.target = target;
            this.where = SshjRemoteShell.where(target);
            this.connection = connection;
            this.reused = mayBeReused;
        }

        /** A new channel; a reused connection that turns out dead is replaced once (nothing ran on it). */
        private Session startSession() throws RemoteShellException {
            try {
                return connection.client.startSession();
            } catch (IOException e) {
                if (!reused) {
                    throw new RemoteShellException(ShellFailure.CONNECTION_LOST,
                            "could not open a session on " + where + ": " + SshjFailures.describe(e), null, e);
                }
            }
            replaceConnection();
            return startSession();
        }

        private void replaceConnection() throws RemoteShellException {
            Connection failed = connection;
            failed.release();
            connections.remove(failed.key, failed);
            failed.close();
            released = true;
            connection = connection(target, failed);
            released = false;
            reused = false;
        }

        @Override
        public ExecResult exec(String command, Duration timeout, OutputListener listener) throws RemoteShellException {
            OutputTail tail = new OutputTail();
            Session session = startSession();
            SSHClient client = connection.client;
            try {
                Session.Command running = session.exec(command);
                Future<?> stdout = outputPumps.submit(() -> pump(running.getInputStream(), tail, listener));
                Future<?> stderr = outputPumps.submit(() -> pump(running.getErrorStream(), tail, listener));
                try {
                    running.join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                } catch (IOException e) {
                    ShellFailure failure = client.isConnected() && running.isOpen()
                            ? ShellFailure.TIMEOUT : SshjFailures.whileRunning(e);
                    if (failure == ShellFailure.TIMEOUT) {
                        // close the whole connection: the command must not keep a session we no longer watch
                        closeQuietly(client);
                        throw new RemoteShellException(failure, "`" + command + "` did not finish within " + timeout
                                + " on " + where + "; the SSH connection was closed (the command may still be running)",
                                tail.text(), e);
                    }
                    throw new RemoteShellException(failure, "connection to " + where + " dropped while `" + command
                            + "` was running: " + SshjFailures.describe(e), tail.text(), e);
                }
                drain(stdout);
                drain(stderr);
                Integer exitStatus = running.getExitStatus();
                if (exitStatus == null) {
                    String why = running.getExitSignal() != null
                            ? "ended by signal " + running.getExitSignal() + " without an exit status"
                            : "ended without an exit status";
                    throw new RemoteShellException(ShellFailure.CONNECTION_LOST,
                            "`" + command + "` on " + where + " " + why, tail.text(), null);
                }
                return new ExecResult(exitStatus, tail.text());
            } catch (IOException e) {
                throw new RemoteShellException(ShellFailure.CONNECTION_LOST, "could not run `" + command + "` on "
                        + where + ": " + SshjFailures.describe(e), tail.text(), e);
            } finally {
                try {
                    session.close();
                } catch (IOException | RuntimeException ignored) {
                    // the channel is gone already
                }
            }
        }

        private SFTPClient sftp() throws RemoteShellException {
            try {
                return connection.client.newSFTPClient();
            } catch (IOException e) {
                if (!reused) {
                    throw transfer("could not start SFTP on " + where, e);
                }
            }
            replaceConnection();
            return sftp();
        }

        @Override
        public List<String> download(String remoteDir, Path localDir) throws RemoteShellException {
            try (SFTPClient sftp = sftp()) {
                if (sftp.statExistence(remoteDir) == null || sftp.stat(remoteDir).getType() != FileMode.Type.DIRECTORY) {
                    throw new RemoteShellException(ShellFailure.FILE_TRANSFER, remoteDir + " on " + where
                            + " is not a directory");
                }
                List<String> copied = new ArrayList<>();
                copyDown(sftp, remoteDir, "", localDir, copied);
                return copied;
            } catch (IOException e) {
                throw transfer("could not copy " + remoteDir + " from " + where, e);
            }
        }

        private void copyDown(SFTPClient sftp, String remoteDir, String prefix, Path localDir, List<String> copied)
                throws IOException {
            for (RemoteResourceInfo entry : sftp.ls(remoteDir)) {
                String relative = prefix + entry.getName();
                if (entry.isDirectory()) {
                    copyDown(sftp, entry.getPath(), relative + "/", localDir, copied);
                } else if (entry.isRegularFile()) {
                    Path local = localDir.resolve(relative).normalize();
                    if (!local.startsWith(localDir)) {
                        throw new IOException("refusing remote file name " + relative);
                    }
                    Files.createDirectories(local.getParent());
                    sftp.get(entry.getPath(), local.toString());
                    copied.add(relative);
                }
            }
        }

        @Override
        public void upload(Path localDir, List<String> names, String remoteDir) throws RemoteShellException {
            try (SFTPClient sftp = sftp()) {
                for (String name : names) {
                    String remote = remoteDir + "/" + name;
                    String partial = remote + ".baton-part";
                    sftp.mkdirs(remote.substring(0, remote.lastIndexOf('/')));
                    sftp.put(localDir.resolve(name).toString(), partial);
                    if (sftp.statExistence(remote) != null) {
                        sftp.rm(remote);
                    }
                    sftp.rename(partial, remote);
                }
            } catch (IOException e) {
                throw transfer("could not copy files to " + remoteDir + " on " + where, e);
            }
        }

        @Override
        public String sha256(String remotePath) throws RemoteShellException {
            try (SFTPClient sftp = sftp(); RemoteFile file = sftp.open(remotePath)) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                try (InputStream in = file.new RemoteFileInputStream()) {
                    byte[] buffer = new byte[32 * 1024];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        digest.update(buffer, 0, n);
                    }
                }
                return HexFormat.of().formatHex(digest.digest());
            } catch (IOException e) {
                throw transfer("could not read " + remotePath + " back from " + where, e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        }

        private RemoteShellException transfer(String message, IOException e) {
            return new RemoteShellException(connection.usable() ? ShellFailure.FILE_TRANSFER : ShellFailure.CONNECTION_LOST,
                    message + ": " + SshjFailures.describe(e), null, e);
        }

        @Override
        public boolean awaitDisconnect(Duration timeout) {
            SSHClient client = connection.client;
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                client.getTransport().join((int) Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                return true;
            } catch (TransportException e) {
                // join fails both when it times out and when the transport died with an error (a reboot drops the
                // connection abruptly); only a failure at the deadline is a time-out, and isRunning() may still be
                // true for a moment after the transport died
                return System.nanoTime() < deadline || !client.getTransport().isRunning();
            }
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            connection.release();
            if (!connection.usable()) {
                connections.remove(connection.key, connection);
                connection.close();
            }
        }
    }

    private static void pump(InputStream in, OutputTail tail, OutputListener listener) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                tail.append(buffer, 0, n);
                try {
                    listener.onOutput(buffer, 0, n);
                } catch (RuntimeException e) {
                    LOG.debugf("output listener failed: %s", e.toString());
                }
            }
        } catch (IOException e) {
            // the channel closed or the connection dropped; what arrived is in the tail
        }
    }

    private static void drain(Future<?> pump) {
        try {
            pump.get(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            pump.cancel(true);
        }
    }
}
