package dev.baton.executor.ssh;

import dev.baton.ssh.SshConnectException;
import dev.baton.ssh.SshFailures;

/** Classifies sshj's and the JDK's exceptions into {@link ShellFailure}s by what they mean (see {@link SshFailures}). */
final class SshjFailures {

    /** How sshj starts the message when a host certificate fails its checks (principals, validity, signature). */
    static final String CERTIFICATE_CHECK_FAILED = SshFailures.CERTIFICATE_CHECK_FAILED;

    private SshjFailures() {
    }

    /** What a failure while connecting, verifying the host key or authenticating means. */
    static ShellFailure whileConnecting(Throwable error) {
        return of(SshFailures.whileConnecting(error));
    }

    /** The executor's name for why the shared client could not connect. */
    static ShellFailure of(SshConnectException.Reason reason) {
        return switch (reason) {
            case HOST_KEY_MISMATCH -> ShellFailure.HOST_KEY_MISMATCH;
            case AUTH_FAILED -> ShellFailure.AUTH_FAILED;
            case UNREACHABLE -> ShellFailure.UNREACHABLE;
        };
    }

    /** What a failure while a command runs means. */
    static ShellFailure whileRunning(Throwable error) {
        return SshFailures.timedOut(error) ? ShellFailure.TIMEOUT : ShellFailure.CONNECTION_LOST;
    }

    static boolean hostKeyRejected(Throwable error) {
        return SshFailures.hostKeyRejected(error);
    }

    /** A short description of an exception for a user-facing message: its first message, no stack trace. */
    static String describe(Throwable error) {
        return SshFailures.describe(error);
    }
}
