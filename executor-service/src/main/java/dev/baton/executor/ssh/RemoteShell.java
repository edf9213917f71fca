package dev.baton.executor.ssh;

import dev.baton.contracts.SshTarget;
import dev.baton.ssh.ExecResult;
import java.time.Duration;

/**
 * The executor's only way onto a node: opens SSH sessions with strict host-key checks and runs
 * commands. Failures are typed ({@link RemoteShellException#failure()}); a non-zero exit is a result,
 * not a failure. Touches no Kafka topic.
 */
public interface RemoteShell {

    /** Connects to the node, verifies its host key against known_hosts and authenticates. */
    RemoteSession open(SshTarget target) throws RemoteShellException;

    /** Runs one command on a fresh session and closes it. */
    default ExecResult exec(SshTarget target, String command, Duration timeout) throws RemoteShellException {
        try (RemoteSession session = open(target)) {
            return session.exec(command, timeout);
        }
    }
}
