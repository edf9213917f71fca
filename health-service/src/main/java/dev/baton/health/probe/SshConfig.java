package dev.baton.health.probe;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the health service logs in to nodes ({@code baton.ssh.*}). The user and endpoint come from
 * each node's entry on {@code baton.clusters.v1}.
 */
@ConfigMapping(prefix = "baton.ssh")
public interface SshConfig {

    /** OpenSSH known_hosts file every host key is verified against ({@code BATON_SSH_KNOWN_HOSTS}). */
    Path knownHosts();

    /** OpenSSH private key file (unencrypted) used to log in ({@code BATON_SSH_PRIVATE_KEY}). */
    Path privateKey();

    /** How long to wait for a TCP connection and the SSH handshake ({@code BATON_SSH_CONNECT_TIMEOUT}). */
    @WithDefault("PT5S")
    Duration connectTimeout();
}
