package dev.baton.ssh;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the executor and the health service authenticate nodes and themselves, with the same keys in both
 * ({@code baton.ssh.*}; env {@code BATON_SSH_KNOWN_HOSTS}, {@code BATON_SSH_PRIVATE_KEY},
 * {@code BATON_SSH_PRIVATE_KEY_PASSPHRASE}, {@code BATON_SSH_PRIVATE_KEY_PASSPHRASE_FILE}, {@code BATON_SSH_JUMP_HOST},
 * {@code BATON_SSH_CONNECT_TIMEOUT}, {@code BATON_SSH_HANDSHAKE_TIMEOUT}, {@code BATON_SSH_KEEP_ALIVE}, {@code BATON_SSH_IDLE_TIMEOUT}).
 * The user and endpoint come from each command or cluster registration. {@link #toString()} of an implementation must
 * never print the passphrase. Read by {@link SshClients}.
 */
@ConfigMapping(prefix = "baton.ssh")
public interface SshConfig {

    /** OpenSSH known_hosts file (plain or hashed entries, {@code @cert-authority} lines); every node must match it. */
    Path knownHosts();

    /** Private key file: OpenSSH, PEM or PKCS#8; ed25519, RSA or ECDSA. Its path may be logged, its content never. */
    Path privateKey();

    /** Passphrase of an encrypted private key (from a secret); never logged. */
    Optional<String> privateKeyPassphrase();

    /**
     * A file holding the passphrase (e.g. a mounted Kubernetes secret; one trailing newline is ignored); used when
     * {@link #privateKeyPassphrase()} is not set. Its path may be logged, its content never.
     */
    Optional<Path> privateKeyPassphraseFile();

    /** Optional jump host ({@code user@host:port}, like OpenSSH's ProxyJump); its key must be in known_hosts too. */
    Optional<String> jumpHost();

    /** How long to wait for the TCP connection to a node. */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /**
     * How long the SSH identification, key exchange and authentication may take once the TCP connection is up: a node
     * that is going down or coming back may accept TCP and never answer, and then fails {@code UNREACHABLE} at this
     * deadline instead of blocking the executor or the probe.
     */
    @WithDefault("PT20S")
    Duration handshakeTimeout();

    /** Interval of SSH keep-alive requests on open connections, so a vanished node is noticed. */
    @WithDefault("PT5S")
    Duration keepAlive();

    /** An unused connection to a node is closed after this long. */
    @WithDefault("PT5M")
    Duration idleTimeout();
}
