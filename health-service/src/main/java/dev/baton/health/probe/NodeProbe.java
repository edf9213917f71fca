package dev.baton.health.probe;

import dev.baton.contracts.SshTarget;
import java.time.Duration;

/**
 * Runs one read-only command on a node and says what happened. The only way the health service reaches
 * nodes; the SSH implementation ({@link SshNodeProbe}) is the only class that knows sshj. Touches no topic.
 * Implementations are safe for concurrent use and never throw for a node's failure: they return it.
 */
public interface NodeProbe extends AutoCloseable {

    /** Runs {@code command} on {@code target}; gives up after {@code timeout} (connecting has its own timeout). */
    ProbeAnswer run(SshTarget target, String command, Duration timeout);

    /** Drops every connection. */
    @Override
    void close();
}
