package dev.baton.ssh;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * The one sshj client of Baton: {@code loadKnownHosts → connect → authPublickey}, with one reused connection per node
 * (TCP_NODELAY, keep-alive every {@code baton.ssh.keep-alive}, closed after {@code baton.ssh.idle-timeout} unused),
 * the key loaded (and decrypted with its passphrase) once, and an optional jump host ({@code baton.ssh.jump-host},
 * ProxyJump-style through a direct-tcpip channel; one jump connection per node connection). Host keys of nodes and of
 * the jump host are always verified against {@code baton.ssh.known-hosts} ({@link KnownHostsFile}); there is no
 * accept-all fallback. The executor runs its steps, SFTP and reboots on a {@link Lease}; the health service's probe
 * uses {@link #run}. Touches no topic.
 */
public final class SshClients implements AutoCloseable {
    private static final Pattern JUMP = Pattern.compile("(?:([^@\\s]+)@)?([^:@\\s]+)(?::(\\d+))?");

    private final SshConfig config;
    private final boolean boundedHandshake;
    private final Config sshjConfig;
    private final ScheduledExecutorService reaper;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, Object> connectLocks = new ConcurrentHashMap<>();
    private volatile KeyProvider keys;

    private SshClients(SshConfig config, boolean boundedHandshake) {
        this.config = config;
        this.boundedHandshake = boundedHandshake;
        this.sshjConfig = new DefaultConfig();
        this.sshjConfig.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ssh-idle-reaper");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, Math.min(30, config.idleTimeout().toSeconds() / 2));
        reaper.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.SECONDS);
    }

    /** Clients for commands that may take long (the executor): sshj's own handshake and channel time-outs. */
    public static SshClients forCommands(SshConfig config) {
        return new SshClients(config, false);
    }

    /**
     * Clients for short probes (the health service): the handshake and every channel request are bounded by
     * {@code baton.ssh.connect-timeout} too, so a node that accepts TCP but never answers fails fast.
     */
    public static SshClients forProbes(SshConfig config) {
        return new SshClients(config, true);
    }

    public SshConfig config() {
        return config;
    }

    /** One line for a startup log: which files are used (paths only, never key content or the passphrase). */
    public String describe() {
        return "known_hosts " + config.knownHosts() + ", private key " + config.privateKey() + " ("
                + (config.privateKeyPassphrase().isPresent() ? "passphrase given"
                : config.privateKeyPassphraseFile().map(f -> "passphrase from " + f).orElse("no passphrase"))
                + "), jump host " + config.jumpHost().orElse("none") + ", connect timeout " + config.connectTimeout()
                + ", handshake timeout " + config.handshakeTimeout() + ", idle timeout " + config.idleTimeout();
    }

    /**
     * The jump host as an endpoint ({@code defaultUser} when the setting names none), or empty without one.
     *
     * @throws IllegalStateException if {@code baton.ssh.jump-host} is not {@code [user@]host[:port]}
     */
    public Optional<SshEndpoint> jumpHost(String defaultUser) {
        return config.jumpHost().filter(j -> !j.isBlank()).map(spec -> {
            Matcher m = JUMP.matcher(spec.strip());
            if (!m.matches()) {
                throw new IllegalStateException("baton.ssh.jump-host '" + spec + "' is not [user@]host[:port]");
            }
            return new SshEndpoint(m.group(2), m.group(3) == null ? 22 : Integer.parseInt(m.group(3)),
                    m.group(1) == null ? defaultUser : m.group(1));
        });
    }

    /** How many connections are open now (for tests and the benchmark). */
    public int openConnections() {
        return (int) connections.values().stream().filter(Connection::usable).count();
    }

    /** Closes every pooled connection, so the next use connects afresh (benchmark: cold connects). */
    public void closeAll() {
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    @Override
    public void close() {
        reaper.shutdownNow();
        closeAll();
    }

    /**
     * Takes the pooled connection to {@code target} (connecting, verifying and authenticating if there is none).
     *
     * @throws SshConnectException if no authenticated connection could be made
     * @throws IllegalStateException if {@code baton.ssh.jump-host} is malformed (a configuration error, not the node's)
     */
    public Lease lease(SshEndpoint target) throws SshConnectException {
        String key = target.toString();
        Connection pooled = connections.get(key);
        if (pooled != null && pooled.tryAcquire()) {
            return new Lease(target, pooled, true);
        }
        return new Lease(target, connection(target, null), false);
    }

    /**
     * Runs a short command (its output must fit the channel window: a status or version command) and returns its
     * exit status with standard output and standard error apart. A kept connection that turns out stale (the node
     * rebooted) is replaced once; on no answer within {@code timeout} the connection is closed, which ends the command's
     * session at once.
     *
     * @throws SshConnectException if no authenticated connection could be made
     * @throws IOException if the command gave no exit status in time or the connection dropped
     */
    public ExecResult run(SshEndpoint target, String command, Duration timeout) throws IOException {
        try (Lease lease = lease(target)) {
            Session session;
            try {
                session = lease.client().startSession();
            } catch (IOException e) {
                if (!lease.reused()) {
                    lease.discard();
                    throw new IOException("no session on " + target + ": " + SshFailures.describe(e), e);
                }
                // the kept connection went stale: one attempt on a fresh one
                lease.replace();
                session = lease.client().startSession();
            }
            try {
                Session.Command cmd = session.exec(command);
                // outputs of status commands are small: they fit the channel window, so joining first cannot dead-lock
                cmd.join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                String out = read(cmd.getInputStream());
                String err = read(cmd.getErrorStream());
                Integer exit = cmd.getExitStatus();
                session.close();
                if (exit == null) {
                    throw new IOException("'" + command + "' on " + target + " ended without an exit status");
                }
                return new ExecResult(exit, out, err);
            } catch (IOException e) {
                // closing the socket also ends the session, at once rather than after another timeout
                lease.discard();
                throw e;
            }
        }
    }

    private static String read(InputStream in) throws IOException {
        return IOUtils.readFully(in).toString(StandardCharsets.UTF_8);
    }

    /**
     * The pooled connection to the target, or a new one. {@code failed} is a pooled connection that just turned out
     * dead (or null): it is never handed out again.
     */
    private Connection connection(SshEndpoint target, Connection failed) throws SshConnectException {
        String key = target.toString();
        synchronized (connectLocks.computeIfAbsent(key, k -> new Object())) {
            Connection pooled = connections.get(key);
            if (pooled != null && pooled != failed && pooled.tryAcquire()) {
                return pooled; // another user connected meanwhile
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

    private SSHClient newClient() {
        SSHClient client = new SSHClient(sshjConfig);
        int connectMillis = (int) config.connectTimeout().toMillis();
        client.setSocketFactory(NoDelaySocketFactory.INSTANCE);
        client.setConnectTimeout(connectMillis);
        if (boundedHandshake) {
            client.getTransport().setTimeoutMs(connectMillis);
            client.getConnection().setTimeoutMs(connectMillis);
        }
        client.getConnection().getKeepAlive().setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
        return client;
    }

    /** Connects (directly or through the jump host), verifies the host key and authenticates. */
    private Connection connect(String key, SshEndpoint target) throws SshConnectException {
        Optional<SshEndpoint> jump = jumpHost(target.user());
        if (jump.isEmpty()) {
            return new Connection(key, connectDirect(target, null), null);
        }
        // one jump connection per node connection: closing the node's connection closes its tunnel too
        SSHClient jumpClient = connectDirect(jump.get(), null);
        try {
            return new Connection(key, connectDirect(target, jumpClient), jumpClient);
        } catch (SshConnectException e) {
            closeQuietly(jumpClient);
            throw e;
        }
    }

    /**
     * Connects, verifies and authenticates within {@code baton.ssh.handshake-timeout}: a node going down or coming back
     * may accept TCP and never send its identification, and sshj reads that without a time-out of its own. A watchdog
     * closes the socket (or the jump host's tunnel) at the deadline, so the blocked read fails and nothing hangs.
     */
    private SSHClient connectDirect(SshEndpoint target, SSHClient via) throws SshConnectException {
        SSHClient client = newClient();
        AtomicReference<Closeable> tunnel = new AtomicReference<>();
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> watchdog = reaper.schedule(() -> {
            expired.set(true);
            abort(client, tunnel.get());
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            return handshake(target, via, client, tunnel);
        } catch (SshConnectException e) {
            if (expired.get()) {
                throw new SshConnectException(SshConnectException.Reason.UNREACHABLE, "no SSH handshake with " + target
                        + (via == null ? "" : " (through the jump host)") + " within " + config.handshakeTimeout()
                        + " (baton.ssh.handshake-timeout): it accepted the connection but did not complete the "
                        + "identification, key exchange and authentication", e.getCause());
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    private static void abort(SSHClient client, Closeable tunnel) {
        try {
            Socket socket = client.getSocket();
            if (socket != null) {
                socket.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing is all we can do
        }
        if (tunnel != null) {
            try {
                tunnel.close();
            } catch (IOException | RuntimeException ignored) {
                // the tunnel is gone already
            }
        }
    }

    private SSHClient handshake(SshEndpoint target, SSHClient via, SSHClient client, AtomicReference<Closeable> tunnel)
            throws SshConnectException {
        String where = target + (via == null ? "" : " (through the jump host)");
        try {
            client.addHostKeyVerifier(KnownHostsFile.verifier(config.knownHosts()));
        } catch (IOException e) {
            closeQuietly(client);
            throw new SshConnectException(SshConnectException.Reason.HOST_KEY_MISMATCH, "known_hosts file "
                    + config.knownHosts() + " could not be read (" + SshFailures.describe(e)
                    + "); refusing to connect to " + where, e);
        }
        try {
            if (via == null) {
                client.connect(target.host(), target.port());
            } else {
                DirectConnection channel = via.newDirectConnection(target.host(), target.port());
                tunnel.set(channel);
                client.connectVia(channel);
            }
        } catch (IOException e) {
            closeQuietly(client);
            SshConnectException.Reason reason = SshFailures.whileConnecting(e);
            String message = reason == SshConnectException.Reason.HOST_KEY_MISMATCH
                    ? "host key of " + where + " is not the one in " + config.knownHosts()
                            + " (unknown or changed); nothing was run. Verify the node and update known_hosts. ("
                            + SshFailures.describe(e) + ")"
                    : "cannot reach " + where + ": " + SshFailures.describe(e);
            throw new SshConnectException(reason, message, e);
        }
        KeyProvider key;
        try {
            key = keys(client);
        } catch (SshConnectException e) {
            closeQuietly(client);
            throw e;
        }
        try {
            client.authPublickey(target.user(), key);
        } catch (IllegalStateException e) {
            // sshj's "Not connected": the transport dropped between the key exchange and authentication (a node going
            // down for its reboot); the node is away, not the executor broken
            closeQuietly(client);
            throw new SshConnectException(SshConnectException.Reason.UNREACHABLE, "lost " + where
                    + " before authenticating: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(client);
            SshConnectException.Reason reason = e instanceof TransportException && !SshFailures.hostKeyRejected(e)
                    ? SshConnectException.Reason.UNREACHABLE : SshFailures.whileConnecting(e);
            String message = reason == SshConnectException.Reason.AUTH_FAILED
                    ? where + " did not accept the key " + config.privateKey() + " for user " + target.user()
                    : "lost " + where + " while authenticating: " + SshFailures.describe(e);
            throw new SshConnectException(reason, message, e);
        }
        return client;
    }

    /** The key, loaded (and decrypted) once. */
    private KeyProvider keys(SSHClient client) throws SshConnectException {
        KeyProvider loaded = keys;
        if (loaded != null) {
            return loaded;
        }
        if (!Files.isReadable(config.privateKey())) {
            throw new SshConnectException(SshConnectException.Reason.AUTH_FAILED, "private key file "
                    + config.privateKey() + " does not exist or cannot be read; set baton.ssh.private-key"
                    + " (BATON_SSH_PRIVATE_KEY)", null);
        }
        Optional<String> passphrase = passphrase();
        try {
            loaded = passphrase.isPresent()
                    ? client.loadKeys(config.privateKey().toString(), new Passphrase(passphrase.get()))
                    : client.loadKeys(config.privateKey().toString());
            loaded.getPrivate(); // decrypts now, so a wrong passphrase fails here and not at every node
        } catch (IOException | RuntimeException e) {
            // the exception's own text could quote the key file, so only its type is reported
            throw new SshConnectException(SshConnectException.Reason.AUTH_FAILED, "private key file "
                    + config.privateKey() + " could not be loaded (" + e.getClass().getSimpleName() + "; "
                    + (passphrase.isPresent() ? "is the passphrase (baton.ssh.private-key-passphrase or -file) right?"
                    : "is it encrypted? then set baton.ssh.private-key-passphrase or -file") + ")", null);
        }
        keys = loaded;
        return loaded;
    }

    /** The passphrase from the config value, else from the passphrase file; empty if neither is set. */
    private Optional<String> passphrase() throws SshConnectException {
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
            throw new SshConnectException(SshConnectException.Reason.AUTH_FAILED, "passphrase file " + file
                    + " cannot be read; set baton.ssh.private-key-passphrase-file to a readable file", null);
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
        private boolean closed;

        Connection(String key, SSHClient client, SSHClient jump) {
            this.key = key;
            this.client = client;
            this.jump = jump;
        }

        boolean usable() {
            return client.isConnected() && client.isAuthenticated();
        }

        /** Takes the connection for a user; false if it is closed or dead. */
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

        /** Closes the connection if nobody uses it and it was unused for {@code idleNanos}, or it is dead. */
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

    /**
     * One user's hold on a pooled connection: channels (exec, SFTP) are opened on {@link #client()}; {@link #close()}
     * gives the connection back (or drops it if it broke). Not for concurrent use; the connection itself is shared.
     */
    public final class Lease implements AutoCloseable {
        private final SshEndpoint target;
        private Connection connection;
        private boolean reused;
        private boolean released;

        private Lease(SshEndpoint target, Connection connection, boolean reused) {
            this.target = target;
            this.connection = connection;
            this.reused = reused;
        }

        /** The authenticated client; open channels on it, never close it (use {@link #discard()}). */
        public SSHClient client() {
            return connection.client;
        }

        /** Whether the connection was taken from the pool (it may have died unnoticed) rather than made for this lease. */
        public boolean reused() {
            return reused;
        }

        public boolean usable() {
            return connection.usable();
        }

        /** The connection turned out dead (nothing ran on it): drop it and connect afresh. */
        public void replace() throws SshConnectException {
            Connection failed = connection;
            failed.release();
            connections.remove(failed.key, failed);
            failed.close();
            released = true;
            connection = connection(target, failed);
            released = false;
            reused = false;
        }

        /** Closes the whole connection now (e.g. a command must not keep a session nobody watches any more). */
        public void discard() {
            connections.remove(connection.key, connection);
            connection.close();
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
}
