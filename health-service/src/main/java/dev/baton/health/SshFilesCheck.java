package dev.baton.health;

import dev.baton.ssh.SshConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * At start-up, refuses to run (exit status 2), with a message naming the key, when the SSH files the probes need
 * cannot be read; otherwise logs how the registered clusters are probed.
 */
@ApplicationScoped
public class SshFilesCheck {
    private static final Logger LOG = Logger.getLogger(HealthMonitor.class);

    private final HealthConfig config;
    private final SshConfig sshConfig;

    public SshFilesCheck(HealthConfig config, SshConfig sshConfig) {
        this.config = config;
        this.sshConfig = sshConfig;
    }

    /**
     * Refuses to start, with a clear message, when the SSH files cannot be read. Runs just after the (eager,
     * {@code @Startup}) {@link HealthMonitor} is created, as when this check was its own observer.
     */
    void checkSshFiles(@Observes @Priority(ObserverMethod.DEFAULT_PRIORITY + 1) StartupEvent event) {
        List<String> problems = new ArrayList<>();
        checkReadable(sshConfig.knownHosts(), "baton.ssh.known-hosts (BATON_SSH_KNOWN_HOSTS)",
                "an OpenSSH known_hosts file holding every node's host key", problems);
        checkReadable(sshConfig.privateKey(), "baton.ssh.private-key (BATON_SSH_PRIVATE_KEY)",
                "an OpenSSH, PEM or PKCS#8 private key file (if encrypted, set baton.ssh.private-key-passphrase or -file)",
                problems);
        sshConfig.privateKeyPassphraseFile().ifPresent(file -> checkReadable(file,
                "baton.ssh.private-key-passphrase-file (BATON_SSH_PRIVATE_KEY_PASSPHRASE_FILE)",
                "a file holding the private key's passphrase", problems));
        if (!problems.isEmpty()) {
            problems.forEach(LOG::error);
            Quarkus.asyncExit(2);
            return;
        }
        LOG.infof("probing registered clusters every %s%s (timeout %s, %d probes at once)", config.interval(),
                config.idleInterval().map(idle -> ", settled nodes every " + idle).orElse(""), config.probeTimeout(),
                config.probeThreads());
    }

    private static void checkReadable(Path file, String key, String what, List<String> problems) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            problems.add(key + " is " + file + ", which is not a readable file; set it to " + what);
        }
    }
}
