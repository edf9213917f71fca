package dev.baton.health.probe;

import dev.baton.contracts.SshTarget;
import dev.baton.ssh.SshClients;
import dev.baton.ssh.SshConfig;
import dev.baton.ssh.SshConnectException;
import dev.baton.ssh.SshEndpoint;
import dev.baton.ssh.SshFailures;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Duration;

/**
 * {@link NodeProbe} over the shared SSH client ({@link SshClients#forProbes}): one reused connection per node, reopened
 * when it breaks; host keys always verified against {@code baton.ssh.known-hosts} (an edited file takes effect at the
 * next connection, without a restart); the same {@code baton.ssh.*} keys as the executor, so an encrypted key
 * ({@code private-key-passphrase} or {@code -file}) and a jump host ({@code jump-host}) work here too. A thin adapter:
 * it only turns the client's failures into {@link ProbeAnswer}s. Touches no topic.
 */
@ApplicationScoped
public class SshNodeProbe implements NodeProbe {
    private final SshClients clients;

    public SshNodeProbe(SshConfig config) {
        this.clients = SshClients.forProbes(config);
    }

    @Override
    public ProbeAnswer run(SshTarget target, String command, Duration timeout) {
        SshEndpoint endpoint = new SshEndpoint(target.host(), target.port(), target.user());
        try {
            return ProbeAnswer.completed(clients.run(endpoint, command, timeout));
        } catch (SshConnectException e) {
            return e.reason() == SshConnectException.Reason.HOST_KEY_MISMATCH
                    ? ProbeAnswer.hostKeyRejected(e.getMessage()) : ProbeAnswer.unreachable(e.getMessage());
        } catch (IOException e) {
            return ProbeAnswer.unreachable("no answer from " + endpoint + " within " + timeout + ": "
                    + SshFailures.describe(e));
        } catch (IllegalStateException e) {
            // a malformed baton.ssh.jump-host: no node can be reached until it is corrected
            return ProbeAnswer.unreachable(e.getMessage());
        }
    }

    @Override
    public void close() {
        clients.closeAll();
    }

    void onStop(@Observes ShutdownEvent event) {
        clients.close();
    }
}
