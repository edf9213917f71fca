package dev.baton.executor.ssh;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the executor authenticates nodes and itself ({@code baton.ssh.*}; env {@code BATON_SSH_KNOWN_HOSTS},
 * {@code BATON_SSH_PRIVATE_KEY}, {@code BATON_SSH_CONNECT_TIMEOUT}). The user and endpoint come from each command.
 */
@ConfigMapping(prefix = "baton.ssh")
public interface SshConfig {

    /** OpenSSH known_hosts file; every node's host key must be in it. */
    Path knownHosts();

    /** OpenSSH private key file (unencrypted). Its path may be logged, its content never. */
    Path privateKey();

    /** How long to wait for the TCP connection to a node. */
    @WithDefault("PT5S")
    Duration connectTimeout();
}
