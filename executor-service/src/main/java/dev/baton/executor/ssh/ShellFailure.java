package dev.baton.executor.ssh;

/** Why a remote command could not produce an exit status, classified by what it means for the node. */
public enum ShellFailure {
    /** The node's host key is not in known_hosts or differs from it; nothing was run on it. */
    HOST_KEY_MISMATCH("the host key is unknown or has changed; nothing was run on the node"),
    /** No SSH connection could be made (refused, timed out, no route, unknown host). */
    UNREACHABLE("the node could not be reached over SSH"),
    /** The node refused the executor's key, or the key file could not be used. */
    AUTH_FAILED("the node did not accept the executor's SSH key"),
    /** The command did not finish in time; the session was closed (the command may still run on the node). */
    TIMEOUT("the command did not finish in time"),
    /** The connection dropped while the command ran, before an exit status arrived. */
    CONNECTION_LOST("the connection dropped before the command reported an exit status"),
    /** An SFTP transfer failed (missing directory, no permission, connection dropped mid-copy). */
    FILE_TRANSFER("a file could not be copied over SFTP");

    private final String meaning;

    ShellFailure(String meaning) {
        this.meaning = meaning;
    }

    /** A human-readable sentence saying what this failure means. */
    public String meaning() {
        return meaning;
    }
}
