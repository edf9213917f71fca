package dev.baton.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link SshConfig} as a plain value, for tests and tools that build an {@link SshClients} without Quarkus: start from
 * {@link #of} (the defaults of {@code baton.ssh.*}) and name only what differs. {@link #toString()} never prints the
 * passphrase. Touches no topic.
 */
public record SshSettings(Path knownHosts, Path privateKey, Optional<String> privateKeyPassphrase,
                          Optional<Path> privateKeyPassphraseFile, Optional<String> jumpHost, Duration connectTimeout,
                          Duration handshakeTimeout, Duration keepAlive, Duration idleTimeout) implements SshConfig {

    public SshSettings {
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(privateKey, "privateKey");
        privateKeyPassphrase = privateKeyPassphrase == null ? Optional.empty() : privateKeyPassphrase;
        privateKeyPassphraseFile = privateKeyPassphraseFile == null ? Optional.empty() : privateKeyPassphraseFile;
        jumpHost = jumpHost == null ? Optional.empty() : jumpHost;
    }

    /**
     * The known_hosts file and key with {@code baton.ssh.*}'s defaults: no passphrase, no jump host, connect 5 s,
     * handshake 20 s, keep-alive 5 s, idle 5 min.
     */
    public static SshSettings of(Path knownHosts, Path privateKey) {
        return new SshSettings(knownHosts, privateKey, Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    public SshSettings withPassphrase(String passphrase) {
        return new SshSettings(knownHosts, privateKey, Optional.ofNullable(passphrase), privateKeyPassphraseFile, jumpHost,
                connectTimeout, handshakeTimeout, keepAlive, idleTimeout);
    }

    public SshSettings withPassphraseFile(Path file) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, Optional.ofNullable(file), jumpHost,
                connectTimeout, handshakeTimeout, keepAlive, idleTimeout);
    }

    /** {@code [user@]host[:port]}, or null for none. */
    public SshSettings withJumpHost(String jump) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, privateKeyPassphraseFile,
                Optional.ofNullable(jump), connectTimeout, handshakeTimeout, keepAlive, idleTimeout);
    }

    public SshSettings withConnectTimeout(Duration timeout) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, privateKeyPassphraseFile, jumpHost, timeout,
                handshakeTimeout, keepAlive, idleTimeout);
    }

    public SshSettings withHandshakeTimeout(Duration timeout) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, privateKeyPassphraseFile, jumpHost,
                connectTimeout, timeout, keepAlive, idleTimeout);
    }

    public SshSettings withKeepAlive(Duration interval) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, privateKeyPassphraseFile, jumpHost,
                connectTimeout, handshakeTimeout, interval, idleTimeout);
    }

    public SshSettings withIdleTimeout(Duration timeout) {
        return new SshSettings(knownHosts, privateKey, privateKeyPassphrase, privateKeyPassphraseFile, jumpHost,
                connectTimeout, handshakeTimeout, keepAlive, timeout);
    }

    @Override
    public String toString() {
        return "SshSettings[knownHosts=" + knownHosts + ", privateKey=" + privateKey + ", passphrase="
                + (privateKeyPassphrase.isPresent() ? "(hidden)" : "none") + ", passphraseFile="
                + privateKeyPassphraseFile.map(Path::toString).orElse("none") + ", jumpHost=" + jumpHost.orElse("none")
                + ", connectTimeout=" + connectTimeout + ", handshakeTimeout=" + handshakeTimeout + ", keepAlive=" + keepAlive
                + ", idleTimeout=" + idleTimeout + "]";
    }
}
