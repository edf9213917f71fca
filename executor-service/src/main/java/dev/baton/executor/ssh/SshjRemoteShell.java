package dev.baton.executor.ssh;

import dev.baton.contracts.SshTarget;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.jboss.logging.Logger;

/**
 * {@link RemoteShell} on sshj: {@code loadKnownHosts → connect → authPublickey → exec → join(timeout) → exit status}.
 * Host keys are always verified against {@code baton.ssh.known-hosts}; there is no accept-all fallback.
 * The only class that talks to sshj. Touches no Kafka topic.
 */
@ApplicationScoped
public class SshjRemoteShell implements RemoteShell {
    private static final Logger LOG = Logger.getLogger(SshjRemoteShell.class);
    /** Seconds between keep-alive requests, so a node that vanishes without closing TCP is noticed. */
    private static final int KEEP_ALIVE_SECONDS = 5;
    /** How long to let output still in flight reach the tail after the command closed its channel. */
    private static final long DRAIN_MILLIS = 2_000;

    private final SshConfig config;
    private final Config sshjConfig;
    private final ExecutorService outputPumps;

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
    }

    /** Says at startup which files are used, and warns if they cannot be read (paths only, never key content). */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("SSH: known_hosts %s, private key %s, connect timeout %s",
                config.knownHosts(), config.privateKey(), config.connectTimeout());
        if (!Files.isReadable(config.knownHosts())) {
            LOG.warnf("baton.ssh.known-hosts %s cannot be read: every node will fail with HOST_KEY_MISMATCH",
                    config.knownHosts());
        }
        if (!Files.isReadable(config.privateKey())) {
            LOG.warnf("baton.ssh.private-key %s cannot be read: every node will fail with AUTH_FAILED",
                    config.privateKey());
        }
    }

    @PreDestroy
    void stop() {
        outputPumps.shutdownNow();
    }

    @Override
    public RemoteSession open(SshTarget target) throws RemoteShellException {
        String where = target.user() + "@" + target.host() + ":" + target.port();
        SSHClient client = new SSHClient(sshjConfig);
        client.setSocketFactory(NoDelaySockets.INSTANCE);
        client.setConnectTimeout((int) config.connectTimeout().toMillis());
        client.getConnection().getKeepAlive().setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        try {
            client.loadKnownHosts(config.knownHosts().toFile());
        } catch (IOException e) {
            closeQuietly(client);
            throw new RemoteShellException(ShellFailure.HOST_KEY_MISMATCH, "known_hosts file " + config.knownHosts()
                    + " could not be read (" + SshjFailures.describe(e) + "); refusing to connect to " + where,
                    null, e);
        }
        try {
            client.connect(target.host(), target.port());
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
        if (!Files.isReadable(config.privateKey())) {
            closeQuietly(client);
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "private key file " + config.privateKey()
                    + " does not exist or cannot be read; set baton.ssh.private-key (BATON_SSH_PRIVATE_KEY)");
        }
        KeyProvider key;
        try {
            key = client.loadKeys(config.privateKey().toString());
        } catch (IOException e) {
            closeQuietly(client);
            // the exception's own text could quote the key file, so only its type is reported
            throw new RemoteShellException(ShellFailure.AUTH_FAILED, "private key file " + config.privateKey()
                    + " could not be loaded (" + e.getClass().getSimpleName()
                    + "); set baton.ssh.private-key to a readable unencrypted OpenSSH key", null, null);
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
        return new SshjSession(client, where);
    }

    private static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // already gone; nothing to release
        }
    }

    /** One authenticated sshj connection. */
    private final class SshjSession implements RemoteSession {
        private final SSHClient client;
        private final String where;

        SshjSession(SSHClient client, String where) {
            this.client = client;
            this.where = where;
        }

        @Override
        public ExecResult exec(String command, Duration timeout) throws RemoteShellException {
            OutputTail tail = new OutputTail();
            Session session;
            try {
                session = client.startSession();
            } catch (IOException e) {
                throw new RemoteShellException(ShellFailure.CONNECTION_LOST,
                        "could not open a session on " + where + ": " + SshjFailures.describe(e), null, e);
            }
            try {
                Session.Command running = session.exec(command);
                Future<?> stdout = outputPumps.submit(() -> pump(running.getInputStream(), tail));
                Future<?> stderr = outputPumps.submit(() -> pump(running.getErrorStream(), tail));
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

        @Override
        public boolean awaitDisconnect(Duration timeout) {
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
            SshjRemoteShell.closeQuietly(client);
        }
    }

    private static void pump(InputStream in, OutputTail tail) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                tail.append(buffer, 0, n);
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

    /** Plain sockets with TCP_NODELAY: SSH sends many small packets, and Nagle delays each exec by tens of ms. */
    private static final class NoDelaySockets extends SocketFactory {
        static final NoDelaySockets INSTANCE = new NoDelaySockets();

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(new Socket(address, port, localAddress, localPort));
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }
    }
}
