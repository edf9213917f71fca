package dev.baton.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SshSettingsTest {

    @Test
    void thePassphraseNeverAppearsInToString() {
        SshSettings settings = SshSettings.of(Path.of("kh"), Path.of("id")).withPassphrase("s3cret-words");

        assertThat(settings.privateKeyPassphrase()).contains("s3cret-words");
        assertThat(settings.toString()).doesNotContain("s3cret-words").contains("(hidden)");
    }

    @Test
    void aMalformedJumpHostIsAConfigurationErrorThatSaysWhatIsExpected() {
        try (SshClients clients = SshClients.forProbes(SshSettings.of(Path.of("kh"), Path.of("id"))
                .withJumpHost("a@b@c"))) {
            assertThatThrownBy(() -> clients.jumpHost("root"))
                    .hasMessageContaining("[user@]host[:port]");
        }
        try (SshClients clients = SshClients.forProbes(SshSettings.of(Path.of("kh"), Path.of("id"))
                .withJumpHost("bastion.example:2222"))) {
            assertThat(clients.jumpHost("ops")).contains(new SshEndpoint("bastion.example", 2222, "ops"));
        }
    }
}
