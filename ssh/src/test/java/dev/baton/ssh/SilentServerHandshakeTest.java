package dev.baton.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node going down or coming back may accept the TCP connection and then say nothing (the reboot hang of issue 15:
 * {@code receiveServerIdent} blocked forever). Real sockets on loopback, no SSH server: every connect ends by
 * {@code baton.ssh.handshake-timeout}, for the executor's clients and the health service's alike.
 */
class SilentServerHandshakeTest {
    private static final Duration HANDSHAKE = Duration.ofMillis(1500);
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        for (Socket socket : accepted) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"says nothing", "sends its identification, then nothing"})
    void aServerThatAcceptsAndStallsFailsUnreachableByTheHandshakeTimeout(String behaviour, @TempDir Path dir)
            throws IOException {
        boolean ident = behaviour.startsWith("sends");
        int port = stallingServer(ident);
        SshSettings settings = settings(dir);
        for (SshClients clients : List.of(SshClients.forCommands(settings), SshClients.forProbes(settings))) {
            try (clients) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> clients.lease(new SshEndpoint("127.0.0.1", port, "root")))
                        .isInstanceOfSatisfying(SshConnectException.class, e -> {
                            assertThat(e.reason()).isEqualTo(SshConnectException.Reason.UNREACHABLE);
                            assertThat(e.getMessage()).contains("no SSH handshake with root@127.0.0.1:" + port)
                                    .contains("baton.ssh.handshake-timeout");
                        });
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(took).isGreaterThanOrEqualTo(HANDSHAKE.minusMillis(100)).isLessThan(HANDSHAKE.plusSeconds(3));
            }
        }
    }

    @Test
    void theProbesRunFailsTooInsteadOfHanging(@TempDir Path dir) throws IOException {
        int port = stallingServer(false);
        try (SshClients clients = SshClients.forProbes(settings(dir))) {
            assertThatThrownBy(() -> clients.run(new SshEndpoint("127.0.0.1", port, "root"), "true", Duration.ofSeconds(30)))
                    .isInstanceOf(SshConnectException.class).hasMessageContaining("no SSH handshake");
        }
    }

    private SshSettings settings(Path dir) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "");
        return SshSettings.of(knownHosts, dir.resolve("id_ed25519")).withHandshakeTimeout(HANDSHAKE);
    }

    /** Accepts every connection and keeps it open; optionally sends an SSH identification line first. */
    private int stallingServer(boolean sendIdentification) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    if (sendIdentification) {
                        OutputStream out = socket.getOutputStream();
                        out.write("SSH-2.0-OpenSSH_9.2p1 stalls\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "stalling-ssh-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server.getLocalPort();
    }
}
