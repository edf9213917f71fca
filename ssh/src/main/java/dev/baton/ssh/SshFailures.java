package dev.baton.ssh;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.userauth.UserAuthException;

/**
 * Classifies sshj's and the JDK's exceptions by what they mean (not where they came from), and describes them in one
 * line for a user-facing message. Touches no topic.
 */
public final class SshFailures {

    /** How sshj starts the message when a host certificate fails its checks (principals, validity, signature). */
    public static final String CERTIFICATE_CHECK_FAILED = "KeyExchange certificate check failed";

    private SshFailures() {
    }

    /** What a failure while connecting, verifying the host key or authenticating means. */
    public static SshConnectException.Reason whileConnecting(Throwable error) {
        if (hostKeyRejected(error)) {
            return SshConnectException.Reason.HOST_KEY_MISMATCH;
        }
        if (find(error, UserAuthException.class)) {
            return SshConnectException.Reason.AUTH_FAILED;
        }
        // refused, timed out, no route, unknown host, or the node hung up during the handshake
        return SshConnectException.Reason.UNREACHABLE;
    }

    /** Whether a failure while a command runs was a time-out (else the connection was lost). */
    public static boolean timedOut(Throwable error) {
        return find(error, TimeoutException.class) || find(error, SocketTimeoutException.class);
    }

    /** Whether the node's host key (or host certificate) was refused. */
    public static boolean hostKeyRejected(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSHException ssh && ssh.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
                return true;
            }
            // a host certificate from a known CA that names another host, has expired or carries a bad signature
            if (t instanceof SSHException ssh && ssh.getDisconnectReason() == DisconnectReason.KEY_EXCHANGE_FAILED
                    && ssh.getMessage() != null && ssh.getMessage().startsWith(CERTIFICATE_CHECK_FAILED)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean find(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** A short description of an exception for a user-facing message: its first message, no stack trace. */
    public static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return error.getClass().getSimpleName();
    }
}
