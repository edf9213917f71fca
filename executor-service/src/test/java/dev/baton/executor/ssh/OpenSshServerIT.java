package dev.baton.executor.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contracts.SshTarget;
import dev.baton.executor.ErrorCode;
import dev.baton.executor.NodeLedger;
import dev.baton.executor.StepOutcome;
import dev.baton.executor.StepRunner;
import dev.baton.contracts.NodeCommand;
import dev.baton.fixtures.NodeCommands;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import dev.baton.ssh.ExecResult;
import dev.baton.sandbox.openssh.OpenSshServer;
import dev.baton.ssh.SshSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SshjRemoteShell} against a real OpenSSH server (Debian {@code openssh-server}, started by sandbox's
 * {@link OpenSshServer}: {@code /usr/sbin/sshd -D -f <own config>} on 127.0.0.1 and a free port), with its own host
 * key, a host certificate signed by its own CA, and an authorized_keys file holding three client keys (ed25519 without
 * passphrase, RSA and ECDSA with one). Skipped when {@code /usr/sbin/sshd} is missing, unless
 * {@code BATON_REQUIRE_OPENSSH=1}, then it fails.
 */
class OpenSshServerIT {
    private static final String PASSPHRASE = "correct horse battery staple";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Path dir;
    private static OpenSshServer sshd;
    private static OpenSshServer otherSshd;
    private static int port;
    private static int otherPort;
    private static String user;
    private static String hostKeyLine;
    private static String caKeyLine;

    @BeforeAll
    static void startServers() throws Exception {
        Optional<String> missing = OpenSshServer.missingTools();
        if (missing.isPresent() && "1".equals(System.getenv("BATON_REQUIRE_OPENSSH"))) {
            throw new AssertionError("BATON_REQUIRE_OPENSSH=1 but " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse("")
                + " (set BATON_REQUIRE_OPENSSH=1 to make this a failure)");
        dir = Files.createTempDirectory("baton-openssh-");
        user = System.getProperty("user.name");
        Path ca = OpenSshServer.userKey(dir, "ca", "ed25519", null);
        Path authorizedKeys = Files.writeString(dir.resolve("authorized_keys"), String.join("\n",
                OpenSshServer.publicKey(OpenSshServer.userKey(dir, "client_ed25519", "ed25519", null)),
                OpenSshServer.publicKey(OpenSshServer.userKey(dir, "client_rsa", "rsa", PASSPHRASE)),
                OpenSshServer.publicKey(OpenSshServer.userKey(dir, "client_ecdsa", "ecdsa", PASSPHRASE))) + "\n");
        caKeyLine = OpenSshServer.publicKey(ca);
        sshd = OpenSshServer.start("sshd", "127.0.0.1", dir.resolve("sshd"), authorizedKeys, List.of(), ca);
        port = sshd.port();
        hostKeyLine = sshd.hostPublicKey();
        // a second server whose host certificate, from the same CA, names another host
        otherSshd = OpenSshServer.start("other_sshd", "127.0.0.1", dir.resolve("other_sshd"), authorizedKeys, List.of(),
                ca, "elsewhere.example");
        otherPort = otherSshd.port();
    }

    @AfterAll
    static void stopSshd() throws Exception {
        for (OpenSshServer server : new OpenSshServer[] {sshd, otherSshd}) {
            if (server != null) {
                server.close();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void hashedKnownHostsAndAnEd25519KeyRunCommandsOnOneReusedConnection() throws Exception {
        SshjRemoteShell shell = shell(knownHosts(hashed("[127.0.0.1]:" + port) + " " + hostKeyLine), "client_ed25519", null);
        try {
            ExecResult first;
            ExecResult second;
            try (RemoteSession session = shell.open(target())) {
                first = session.exec("echo hello from openssh", TIMEOUT);
            }
            try (RemoteSession session = shell.open(target())) {
                second = session.exec("exit 3", TIMEOUT);
            }

            assertThat(first).isEqualTo(new ExecResult(0, "hello from openssh\n"));
            assertThat(second.exitCode()).isEqualTo(3);
            assertThat(shell.openConnections()).isEqualTo(1);
        } finally {
            shell.closeAll();
        }
    }

    @Test
    void aHostCertificateSignedByTheKnownCertAuthorityIsAccepted() throws Exception {
        SshjRemoteShell shell = shell(knownHosts("@cert-authority [127.0.0.1]:" + port + " " + caKeyLine),
                "client_ed25519", null);
        try (RemoteSession session = shell.open(target())) {
            assertThat(session.exec("echo certified", TIMEOUT).output()).isEqualTo("certified\n");
        } finally {
            shell.closeAll();
        }
    }

    @Test
    void aHostCertificateFromTheKnownCertAuthorityButForAnotherHostIsRefused() throws Exception {
        Path marker = dir.resolve("ran-on-the-wrong-host");
        SshjRemoteShell shell = shell(knownHosts("@cert-authority [127.0.0.1]:" + otherPort + " " + caKeyLine),
                "client_ed25519", null);

        assertThatThrownBy(() -> shell.exec(new SshTarget("127.0.0.1", otherPort, user), "touch " + marker, TIMEOUT))
                .isInstanceOfSatisfying(RemoteShellException.class,
                        e -> assertThat(e.failure()).isEqualTo(ShellFailure.HOST_KEY_MISMATCH));
        assertThat(marker).doesNotExist();
    }

    @Test
    void aChangedHostKeyOrAForeignCertAuthorityIsRefusedAndNothingRuns() throws Exception {
        String otherKey = Files.readString(dir.resolve("client_ed25519.pub")).trim().split(" ", 3)[1];
        Path marker = dir.resolve("ran-despite-the-wrong-key");
        SshjRemoteShell changed = shell(knownHosts("[127.0.0.1]:" + port + " ssh-ed25519 " + otherKey), "client_ed25519", null);
        SshjRemoteShell foreignCa = shell(knownHosts("@cert-authority [127.0.0.1]:" + port + " ssh-ed25519 " + otherKey),
                "client_ed25519", null);

        for (SshjRemoteShell shell : List.of(changed, foreignCa)) {
            assertThatThrownBy(() -> shell.exec(target(), "touch " + marker, TIMEOUT))
                    .isInstanceOfSatisfying(RemoteShellException.class, e -> {
                        assertThat(e.failure()).isEqualTo(ShellFailure.HOST_KEY_MISMATCH);
                        assertThat(ErrorCode.of(e.failure())).isEqualTo(ErrorCode.HOST_KEY_MISMATCH);
                    });
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void rsaAndEcdsaKeysWithAPassphraseLogIn() throws Exception {
        for (String key : List.of("client_rsa", "client_ecdsa")) {
            SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), key, PASSPHRASE);
            try {
                assertThat(shell.exec(target(), "whoami", TIMEOUT).output()).as(key).isEqualTo(user + "\n");
            } finally {
                shell.closeAll();
            }
        }
    }

    @Test
    void thePassphraseCanComeFromAMountedSecretFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("passphrase"), PASSPHRASE + "\n");
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ecdsa", null, null,
                secret);
        try {
            assertThat(shell.exec(target(), "echo unlocked", TIMEOUT).output()).isEqualTo("unlocked\n");
        } finally {
            shell.closeAll();
        }
    }

    @Test
    void aWrongPassphraseFailsAuthenticationWithoutRevealingIt() throws Exception {
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_rsa", "not-it-42");

        assertThatThrownBy(() -> shell.exec(target(), "true", TIMEOUT))
                .isInstanceOfSatisfying(RemoteShellException.class, e -> {
                    assertThat(e.failure()).isEqualTo(ShellFailure.AUTH_FAILED);
                    assertThat(e.getMessage()).contains("client_rsa", "passphrase").doesNotContain("not-it-42");
                });
    }

    @Test
    void aJumpHostCarriesTheConnection() throws Exception {
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null,
                user + "@127.0.0.1:" + port);
        try {
            ExecResult result = shell.exec(target(), "echo through the bastion", TIMEOUT);

            assertThat(result.output()).isEqualTo("through the bastion\n");
        } finally {
            shell.closeAll();
        }
    }

    @Test
    void filesMoveOverSftpAndTheLedgerWorksWithARealShell() throws Exception {
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null);
        Path local = Files.createDirectories(dir.resolve("local"));
        Files.writeString(local.resolve("a.rpm"), "package a\n");
        Files.createDirectories(local.resolve("sub"));
        Files.writeString(local.resolve("sub/b.rpm"), "package b\n");
        String remote = dir.resolve("remote/node_RPMS").toString();
        String commandId = "openssh-it-" + System.nanoTime();
        try (RemoteSession session = shell.open(target())) {
            session.upload(local, List.of("a.rpm", "sub/b.rpm"), remote);
            Path back = Files.createDirectories(dir.resolve("back"));
            List<String> copied = session.download(remote, back);

            assertThat(copied).containsExactlyInAnyOrder("a.rpm", "sub/b.rpm");
            assertThat(Files.readString(back.resolve("sub/b.rpm"))).isEqualTo("package b\n");
            assertThat(session.sha256(remote + "/a.rpm")).isEqualTo(sha256("package a\n"));

            assertThat(NodeLedger.claim(session, commandId, TIMEOUT)).isInstanceOf(NodeLedger.Claim.Claimed.class);
            assertThat(NodeLedger.claim(session, commandId, TIMEOUT)).isInstanceOf(NodeLedger.Claim.Busy.class);
            StepOutcome outcome = new StepOutcome.Succeeded(0, "it's done: \"quoted\" $HOME `x`\n");
            NodeLedger.record(session, commandId, outcome, TIMEOUT);
            assertThat(NodeLedger.claim(session, commandId, TIMEOUT))
                    .isEqualTo(new NodeLedger.Claim.Recorded(outcome));
            assertThat(NodeLedger.recorded(session, commandId, TIMEOUT)).contains(outcome);
        } finally {
            shell.closeAll();
            try (RemoteSession session = shell.open(target())) {
                session.exec("rm -rf " + NodeLedger.DIR + "/" + commandId + ".claim " + NodeLedger.DIR + "/" + commandId
                        + ".done", TIMEOUT);
            }
            shell.closeAll();
        }
    }

    @Test
    void aDisruptiveStepRunsDetachedOutlivesItsExecutorAndIsReportedByTheNextOneWithoutRunningTwice() throws Exception {
        Path runs = dir.resolve("detached-runs.txt");
        NodeCommand command = disruptiveStep("detached-" + System.nanoTime(),
                "echo run >> " + runs + "; sleep 3; echo \"done in $0's \\$SHELL\"; exit 4", Duration.ofMinutes(1));
        SshjRemoteShell firstShell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null);
        SshjRemoteShell nextShell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null);
        ExecutorService first = Executors.newSingleThreadExecutor();
        try {
            Future<StepOutcome> killed = first.submit(() -> runner(firstShell).run(command));
            Path claim = home().resolve(NodeLedger.DIR).resolve(command.commandId() + ".claim");
            awaitFile(claim.resolve("pid"));
            long pid = Long.parseLong(Files.readString(claim.resolve("pid")).trim());

            // the executor that started it dies: its thread stops and its SSH connections drop
            killed.cancel(true);
            firstShell.closeAll();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the step still runs").contains(true);

            StepOutcome outcome = runner(nextShell).run(command);

            assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
                assertThat(failed.errorCode()).isEqualTo(ErrorCode.EXIT_STATUS);
                assertThat(failed.exitCode()).isEqualTo(4);
                assertThat(failed.output()).contains("done in", "$SHELL");
            });
            assertThat(Files.readAllLines(runs)).as("runs of the step on the node").containsExactly("run");
            // a third delivery finds the outcome the second one recorded
            assertThat(runner(nextShell).run(command)).isEqualTo(outcome);
            assertThat(Files.readAllLines(runs)).containsExactly("run");
        } finally {
            first.shutdownNow();
            firstShell.closeAll();
            nextShell.closeAll();
        }
    }

    @Test
    void aCommandRefusedPastItsStartByCanNeverStartLaterNotEvenFromAClaimMadeInTime() throws Exception {
        Path runs = dir.resolve("refused-runs.txt");
        StepOutcome.Failed refusal = new StepOutcome.Failed(ErrorCode.COMMAND_EXPIRED, "reached the executor too late");
        NodeCommand unseen = disruptiveStep("refused-" + System.nanoTime(), "echo unseen >> " + runs, Duration.ofMinutes(1));
        NodeCommand claimedOnly = disruptiveStep("refused-claimed-" + System.nanoTime(), "echo claimed >> " + runs,
                Duration.ofMinutes(1));
        NodeCommand running = disruptiveStep("refused-running-" + System.nanoTime(), "sleep 2; echo running >> " + runs,
                Duration.ofMinutes(1));
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // never seen by the node: refused in its ledger; a delivery that saw it in time then finds the refusal
            assertThat(runner(shell).refuseExpired(unseen, refusal)).isInstanceOf(NodeLedger.Seen.Refused.class);
            assertThat(runner(shell).run(unseen)).isEqualTo(refusal);

            // claimed by an executor that died before launching it: refused too, and never launched after that
            try (RemoteSession session = shell.open(target())) {
                assertThat(NodeLedger.claim(session, claimedOnly.commandId(), TIMEOUT))
                        .isInstanceOf(NodeLedger.Claim.Claimed.class);
            }
            assertThat(runner(shell).refuseExpired(claimedOnly, refusal)).isInstanceOf(NodeLedger.Seen.Refused.class);
            assertThat(runner(shell).run(claimedOnly)).isEqualTo(refusal);

            // already running: not refused, followed to its real outcome
            Future<StepOutcome> first = other.submit(() -> runner(shell).run(running));
            awaitFile(home().resolve(NodeLedger.DIR).resolve(running.commandId() + ".claim/pid"));
            assertThat(runner(shell).refuseExpired(running, refusal)).isInstanceOf(NodeLedger.Seen.Claimed.class);
            assertThat(first.get(1, TimeUnit.MINUTES)).isInstanceOf(StepOutcome.Succeeded.class);

            assertThat(Files.readAllLines(runs)).as("what ran on the node").containsExactly("running");
        } finally {
            other.shutdownNow();
            shell.closeAll();
        }
    }

    @Test
    void aDetachedStepPastItsTimeoutIsKilledWithItsWholeProcessGroup() throws Exception {
        Path marker = dir.resolve("outlived-its-timeout");
        NodeCommand command = disruptiveStep("detached-timeout-" + System.nanoTime(),
                "sh -c 'sleep 8; touch " + marker + "' & sleep 8; touch " + marker, Duration.ofSeconds(2));
        SshjRemoteShell shell = shell(knownHosts("[127.0.0.1]:" + port + " " + hostKeyLine), "client_ed25519", null);
        try {
            StepOutcome outcome = runner(shell).run(command);

            assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, failed -> {
                assertThat(failed.errorCode()).isEqualTo(ErrorCode.TIMEOUT);
                assertThat(failed.message()).contains("PT2S", "was killed");
            });
            long pid = Long.parseLong(Files.readString(home().resolve(NodeLedger.DIR)
                    .resolve(command.commandId() + ".claim/pid")).trim());
            Thread.sleep(500);
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker.toString())))
                    .as("processes of the step's group, %d included", pid).isEmpty();
            Thread.sleep(8_000);
            assertThat(marker).doesNotExist();
        } finally {
            shell.closeAll();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static NodeCommand disruptiveStep(String commandId, String line, Duration timeout) {
        return NodeCommands.run("openssh", "localhost", "detached", line).commandId(commandId).rolloutId("roll-1")
                .target(target()).timeout(timeout).epoch(1).disruptive().build();
    }

    private static StepRunner runner(SshjRemoteShell shell) {
        return new StepRunner(shell, null, Clock.systemUTC(), Duration.ofMillis(200));
    }

    private static Path home() {
        return Path.of(System.getProperty("user.home"));
    }

    private static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).exists();
    }

    private static SshTarget target() {
        return new SshTarget("127.0.0.1", port, user);
    }

    private static SshjRemoteShell shell(Path knownHosts, String key, String passphrase) {
        return shell(knownHosts, key, passphrase, null, null);
    }

    private static SshjRemoteShell shell(Path knownHosts, String key, String passphrase, String jump) {
        return shell(knownHosts, key, passphrase, jump, null);
    }

    private static SshjRemoteShell shell(Path knownHosts, String key, String passphrase, String jump,
                                         Path passphraseFile) {
        return new SshjRemoteShell(SshSettings.of(knownHosts, dir.resolve(key)).withPassphrase(passphrase)
                .withJumpHost(jump).withPassphraseFile(passphraseFile).withIdleTimeout(Duration.ofMinutes(1)));
    }

    private static Path knownHosts(String line) throws IOException {
        Path file = Files.createTempFile(dir, "known_hosts", "");
        Files.writeString(file, line + "\n");
        return file;
    }

    /** An OpenSSH hashed known_hosts host field: {@code |1|base64(salt)|base64(HMAC-SHA1(salt, host))}. */
    private static String hashed(String host) throws Exception {
        byte[] salt = new byte[20];
        new SecureRandom().nextBytes(salt);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|" + Base64.getEncoder().encodeToString(hash);
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
