package dev.baton.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Signed checkpoints of the chain heads, under {@code baton.audit.checkpoint}. */
@ConfigMapping(prefix = "baton.audit.checkpoint")
public interface CheckpointConfig {

    /** How often to sign the heads of the chains that moved (0 or negative: never, only on request). */
    @WithDefault("PT1M")
    Duration interval();

    /**
     * PEM file with the Ed25519 private key ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8), e.g. from
     * {@code openssl genpkey -algorithm ed25519}. Without it an ephemeral development key is generated (and the
     * log says so): its checkpoints cannot be trusted after a restart.
     */
    Optional<Path> keyFile();

    /** Public keys (X.509, base64) whose checkpoints verification also trusts, e.g. keys rotated out. */
    Optional<List<String>> trustedPublicKeys();
}
