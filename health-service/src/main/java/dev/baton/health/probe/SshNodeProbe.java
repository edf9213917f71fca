package dev.baton.health.probe;

import dev.baton.ssh.KnownHostsFile;
import dev.baton.ssh.NoDelaySocketFactory;

import dev.baton.contracts.SshTarget;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.Config;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import org.jboss.logging.Logger;

/**
 * {@link NodeProbe} over SSH (sshj): one connection per node, reused across probes and reopened when it
 * breaks; host keys always verified against {@code baton.ssh.known-hosts} (re-read on every new
 * connection that finds the file changed, so fixing the file takes effect without a restart); public-key login with
 * {@code baton.ssh.private-key}; TCP_NODELAY. Touches no topic.
 */
@ApplicationScoped
public class SshNodeProbe implements NodeProbe {
    private static final Logger LOG = Logger.getLogger(SshNodeProbe.class);

    private final SshConfig config;
    private final Config sshjConfig = new DefaultConfig();
    private final ConcurrentMap<SshTarget, Connection> connections = new ConcurrentHashMap<>();

    public SshNodeProbe(SshConfig config) {
        this.config = config;
    }

    @Override
    public ExecResult run(SshTarget target, String command, Duration timeout) {
        return connections.computeIfAbsent(target, Connection::new).run(command, timeout);
    }

    @Override
    public void close() {
        connections.values().forEach(Connection::drop);
        connections.clear();
    }

    void onStop(@Observes ShutdownEvent event) {
        close();
    }

    /** The reused SSH connection to one node. */
    private final class Connection {
        private final SshTarget target;
        private SSHClient client;

        Connection(SshTarget target) {
            this.target = target;
        }

        ExecResult run(String command, Duration timeout) {
            SSHClient ssh;
            boolean reused;
            synchronized (this) {
                reused = client != null && client.isConnected() && client.isAuthenticated();
                if (!reused) {
                    drop();
                    try {
                        client = open();
                    } catch (TransportException e) {
                        if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
                            return ExecResult.hostKeyRejected("host key of " + endpoint()
                                    + " is not the one in " + config.knownHosts() + "; not trusted, nothing run");
                        }
                        return ExecResult.unreachable("SSH handshake with " + endpoint() + " failed: " + e.getMessage());
                    } catch (UserAuthException e) {
                        return ExecResult.unreachable("login as " + target.user() + " on " + endpoint() + " refused");
                    } catch (IOException e) {
                        return ExecResult.unreachable("cannot connect to " + endpoint() + ": " + e.getMessage());
                    }
                }
                ssh = client;
            }
            Session session;
            try {
                session = ssh.startSession();
            } catch (IOException e) {
                drop(ssh);
                if (reused) {
                    // the kept connection went stale (e.g. the node rebooted): one attempt on a fresh one
                    LOG.debugf("reopening the connection to %s: %s", endpoint(), e.getMessage());
                    return run(command, timeout);
                }
                return ExecResult.unreachable("no session on " + endpoint() + ": " + e.getMessage());
            }
            try {
                return exec(session, command, timeout);
            } catch (IOException e) {
                // closing the socket also ends the session, at once rather than after another timeout
                drop(ssh);
                return ExecResult.unreachable("no answer from " + endpoint() + " within " + timeout + ": " + e.getMessage());
            }
        }

        private SSHClient open() throws IOException {
            SSHClient ssh = new SSHClient(sshjConfig);
            try {
                int connectMillis = (int) config.connectTimeout().toMillis();
                ssh.setConnectTimeout(connectMillis);
                ssh.getTransport().setTimeoutMs(connectMillis);
                ssh.getConnection().setTimeoutMs(connectMillis);
                ssh.setSocketFactory(NoDelaySocketFactory.INSTANCE);
                ssh.addHostKeyVerifier(KnownHostsFile.verifier(config.knownHosts()));
                ssh.connect(target.host(), target.port());
                ssh.authPublickey(target.user(), ssh.loadKeys(config.privateKey().toString()));
                return ssh;
            } catch (IOException | RuntimeException e) {
                quietly(ssh);
                throw e;
            }
        }

        private ExecResult exec(Session session, String command, Duration timeout) throws IOException {
            Session.Command cmd = session.exec(command);
            // outputs of status commands are small: they fit the channel window, so joining first cannot dead-lock
            cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String out = read(cmd.getInputStream());
            String err = read(cmd.getErrorStream());
            Integer exit = cmd.getExitStatus();
            session.close();
            if (exit == null) {
                return ExecResult.unreachable("'" + command + "' on " + endpoint() + " ended without an exit status");
            }
            return ExecResult.completed(exit, out, err.isBlank() ? null : err.strip());
        }

        private synchronized void drop(SSHClient broken) {
            if (client == broken) {
                drop();
            }
        }

        synchronized void drop() {
            if (client != null) {
                quietly(client);
                client = null;
            }
        }

        private String endpoint() {
            return target.user() + "@" + target.host() + ":" + target.port();
        }
    }

    private static String read(InputStream in) throws IOException {
        return IOUtils.readFully(in).toString(StandardCharsets.UTF_8);
    }

    private static void quietly(SSHClient ssh) {
        try {
            ssh.close();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("closing an SSH connection failed: %s", e.getMessage());
        }
    }
}
