package dev.baton.executor.ssh;

import dev.baton.ssh.ExecResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An authenticated SSH connection to one node (possibly reused from earlier commands), on which commands run
 * one after another and files move over SFTP. Touches no Kafka topic.
 */
public interface RemoteSession extends AutoCloseable {

    /**
     * Runs a command and waits for its exit status, handing its output to {@code output} as it arrives.
     *
     * @throws RemoteShellException {@link ShellFailure#TIMEOUT} if it did not finish in time,
     *         {@link ShellFailure#CONNECTION_LOST} if the connection dropped before an exit status arrived
     */
    ExecResult exec(String command, Duration timeout, OutputListener output) throws RemoteShellException;

    /** Runs a command without streaming its output. */
    default ExecResult exec(String command, Duration timeout) throws RemoteShellException {
        return exec(command, timeout, OutputListener.NONE);
    }

    /**
     * Copies every regular file below the absolute remote directory {@code remoteDir} into {@code localDir} over
     * SFTP, keeping relative paths. Returns the relative paths copied (empty if the directory has no files).
     *
     * @throws RemoteShellException {@link ShellFailure#FILE_TRANSFER} if the directory does not exist or a copy fails
     */
    List<String> download(String remoteDir, Path localDir) throws RemoteShellException;

    /**
     * Copies the files {@code names} (relative to {@code localDir}) below the absolute remote directory
     * {@code remoteDir} over SFTP; each file is written under a temporary name and then renamed into place.
     */
    void upload(Path localDir, List<String> names, String remoteDir) throws RemoteShellException;

    /** The SHA-256 (hex) of a remote file, read back over SFTP. */
    String sha256(String remotePath) throws RemoteShellException;

    /** Waits until the node drops the connection (e.g. while rebooting); false if it is still up after {@code timeout}. */
    boolean awaitDisconnect(Duration timeout) throws InterruptedException;

    /** Gives the connection back for reuse (or closes it if it is broken); never fails. */
    @Override
    void close();
}
