package dev.baton.executor.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import org.junit.jupiter.api.Test;

class SshjFailuresTest {

    @Test
    void aHostKeyThatCannotBeVerifiedIsAMismatch() {
        TransportException rejected = new TransportException(DisconnectReason.HOST_KEY_NOT_VERIFIABLE,
                "Could not verify `ssh-ed25519` host key with fingerprint `SHA256:x` for `127.77.1.1` on port 2201");

        assertThat(SshjFailures.whileConnecting(rejected)).isEqualTo(ShellFailure.HOST_KEY_MISMATCH);
        assertThat(SshjFailures.whileConnecting(new IOException("kex failed", rejected)))
                .isEqualTo(ShellFailure.HOST_KEY_MISMATCH);
    }

    @Test
    void aHostCertificateThatFailsItsChecksIsAMismatch() {
        TransportException badCertificate = new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED,
                "KeyExchange certificate check failed: Hostname `127.0.0.1` doesn't match any of the principals");
        TransportException otherKexFailure = new TransportException(DisconnectReason.KEY_EXCHANGE_FAILED,
                "no common cipher");

        assertThat(SshjFailures.whileConnecting(badCertificate)).isEqualTo(ShellFailure.HOST_KEY_MISMATCH);
        assertThat(SshjFailures.whileConnecting(otherKexFailure)).isEqualTo(ShellFailure.UNREACHABLE);
    }

    @Test
    void otherTransportFailuresWhileConnectingMeanUnreachable() {
        assertThat(SshjFailures.whileConnecting(new TransportException(DisconnectReason.PROTOCOL_ERROR, "eof")))
                .isEqualTo(ShellFailure.UNREACHABLE);
        assertThat(SshjFailures.whileConnecting(new ConnectException("Connection refused")))
                .isEqualTo(ShellFailure.UNREACHABLE);
        assertThat(SshjFailures.whileConnecting(new SocketTimeoutException("connect timed out")))
                .isEqualTo(ShellFailure.UNREACHABLE);
        assertThat(SshjFailures.whileConnecting(new UnknownHostException("nowhere.invalid")))
                .isEqualTo(ShellFailure.UNREACHABLE);
    }

    @Test
    void aRefusedKeyIsAnAuthFailure() {
        assertThat(SshjFailures.whileConnecting(new UserAuthException("Exhausted available authentication methods")))
                .isEqualTo(ShellFailure.AUTH_FAILED);
    }

    @Test
    void whileRunningATimeoutIsATimeoutAndAnythingElseALostConnection() {
        ConnectionException timedOut = new ConnectionException("Timeout expired", new TimeoutException("expired"));

        assertThat(SshjFailures.whileRunning(timedOut)).isEqualTo(ShellFailure.TIMEOUT);
        assertThat(SshjFailures.whileRunning(new TransportException("Broken transport; encountered EOF")))
                .isEqualTo(ShellFailure.CONNECTION_LOST);
        assertThat(SshjFailures.whileRunning(new ConnectionException("Did not receive any keep-alive response")))
                .isEqualTo(ShellFailure.CONNECTION_LOST);
    }

    @Test
    void describeGivesTheFirstMessageWithoutAStackTrace() {
        IOException error = new IOException(null, new ConnectException("Connection refused"));

        assertThat(SshjFailures.describe(error)).isEqualTo("Connection refused");
        assertThat(SshjFailures.describe(new IOException())).isEqualTo("IOException");
    }
}
