package dev.baton.ssh;

import java.io.IOException;

/**
 * No authenticated connection to a node could be made; {@link #reason()} says why, by what it means for the node, and
 * the message says what was wrong and what to do (paths may appear in it, key content and passphrases never).
 */
public class SshConnectException extends IOException {
    private final Reason reason;

    public SshConnectException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Why the connection could not be made. */
    public enum Reason {
        /** The host key is not in known_hosts or differs from it (or known_hosts cannot be read); nothing was run. */
        HOST_KEY_MISMATCH,
        /** Refused, timed out, no route, unknown host, or the node (or the jump host) hung up during the handshake. */
        UNREACHABLE,
        /** The node refused the key, or the key file (or its passphrase) could not be used. */
        AUTH_FAILED
    }
}
