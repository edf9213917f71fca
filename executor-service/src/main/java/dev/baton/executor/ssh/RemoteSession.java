package dev.baton.executor.ssh;

import java.time.Duration;

/** An authenticated SSH connection to one node, on which commands run one after another. Touches no Kafka topic. */
public interface RemoteSession extends AutoCloseable {

    /**
     * Runs a command and waits for its exit status.
     *
     * @throws RemoteShellException {@link ShellFailure#TIMEOUT} if it did not finish in time,
     *         {@link ShellFailure#CONNECTION_LOST} if the connection dropped before an exit status arrived
     */
    ExecResult exec(String command, Duration timeout) throws RemoteShellException;

    /** Waits until the node drops the connection (e.g. while rebooting); false if it is still up after {@code timeout}. */
    boolean awaitDisconnect(Duration timeout) throws InterruptedException;

    /** Closes the connection; never fails. */
    @Override
    void close();
}
