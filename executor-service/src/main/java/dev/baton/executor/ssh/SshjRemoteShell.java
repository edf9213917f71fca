package dev.baton.executor.ssh;

import dev.baton.contracts.SshTarget;
import dev.baton.ssh.ExecResult;
import dev.baton.ssh.SshClients;
import dev.baton.ssh.SshConfig;
import dev.baton.ssh.SshConnectException;
import dev.baton.ssh.SshEndpoint;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RemoteResourceInfo;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.transport.TransportException;
import org.jboss.logging.Logger;

/**
 * {@link RemoteShell} on the shared sshj client ({@link SshClients}: one reused connection per node, keys and
 * passphrase, jump host, strict known_hosts, keep-alive, TCP_NODELAY): {@code exec → join(timeout) → exit status} with
 * streamed output, SFTP transfers and waiting for a reboot to drop the connection. Host keys are always verified against
 * {@code baton.ssh.known-hosts}; there is no accept-all fallback. Touches no Kafka topic.
 */
@ApplicationScoped
public class SshjRemoteShell implements RemoteShell {
    private static final Logger LOG = Logger.getLogger(SshjRemoteShell.class);
    /** How long to let output still in flight reach the tail after the command closed its channel. */
    private static final long DRAIN_MILLIS = 2_000;

    private final SshConfig config;
    private final SshClients clients;
    private final ExecutorService outputPumps;

    @Inject
    public SshjRemoteShell(SshConfig config) {
        this.config = config;
        this.clients = SshClients.forCommands(config);
        AtomicInteger count = new AtomicInteger();
        this.outputPumps = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "ssh-output-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Says at startup which files are used, and warns if they cannot be read (paths only, never key content). */
    void onStart(@Observes StartupEvent event) {
        LOG.infof("SSH: %s", clients.describe());
        if (!Files.isReadable(config.knownHosts())) {
            LOG.warnf("baton.ssh.known-hosts %s cannot be read: every node will fail with HOST_KEY_MISMATCH",
                    config.knownHosts());
        }
        if (!Files.isReadable(config.privateKey())) {
            LOG.warnf("baton.ssh.private-key %s cannot be read: every node will fail with AUTH_FAILED",
                    config.privateKey());
        }
        try {
            clients.jumpHost("root");
        } catch (IllegalStateException e) {
            LOG.errorf("%s: every node will fail with EXECUTOR_ERROR until it is corrected", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        clients.close();
        outputPumps.shutdownNow();
    }

    /** How many connections are open now (for tests and the benchmark). */
    public int openConnections() {
        return clients.openConnections();
    }

    /** Closes every pooled connection, so the next command connects afresh (benchmark: cold connects). */
    public void closeAll() {
        clients.closeAll();
    }

    @Override
    public RemoteSession open(SshTarget target) throws RemoteShellException {
        try {
            return new Lease(target, clients.lease(endpoint(target)));
        } catch (SshConnectException e) {
            throw connectFailure(e);
        }
    }

    private static RemoteShellException connectFailure(SshConnectException e) {
        return new RemoteShellException(SshjFailures.of(e.reason()), e.getMessage(), null, e.getCause());
    }

    private static SshEndpoint endpoint(SshTarget target) {
        return new SshEndpoint(target.host(), target.port(), target.user());
    }

    /** A command's use of a pooled connection. */
    private final class Lease implements RemoteSession {
        private final String where;
        private final SshClients.Lease connection;
        private boolean mayRetry = true;

        Lease(SshTarget target, SshClients.Lease connection) {
            this.where = endpoint(target).toString();
            this.connection = connection;
        }

        /** A new channel; a reused connection that turns out dead is replaced once (nothing ran on it). */
        private Session startSession() throws RemoteShellException {
            try {
                return connection.client().startSession();
            } catch (IOException e) {
                if (!mayRetry) {
                    throw new RemoteShellException(ShellFailure.CONNECTION_LOST,
                            "could not open a session on " + where + ": " + SshjFailures.describe(e), null, e);
                }
            }
            replaceConnection();
            return startSession();
        }

        private void replaceConnection() throws RemoteShellException {
            mayRetry = false;
            try {
                connection.replace();
            } catch (SshConnectException e) {
                throw connectFailure(e);
            }
        }

        @Override
        public ExecResult exec(String command, Duration timeout, OutputListener listener) throws RemoteShellException {
            OutputTail tail = new OutputTail();
            Session session = startSession();
            SSHClient client = connection.client();
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
                        connection.discard();
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
                return connection.client().newSFTPClient();
            } catch (IOException e) {
                if (!mayRetry) {
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
            SSHClient client = connection.client();
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
            connection.close();
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
