package dev.baton.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsFileTest {
    @TempDir
    Path dir;

    @Test
    void acceptsOnlyTheListedKeyOfAListedHost() throws Exception {
        PublicKey node = ecKey();
        Path file = Files.writeString(dir.resolve("known_hosts"), line("[127.77.1.1]:2222", node));

        HostKeyVerifier verifier = KnownHostsFile.verifier(file);

        assertThat(verifier.verify("127.77.1.1", 2222, node)).isTrue();
        assertThat(verifier.verify("127.77.1.1", 2222, ecKey())).as("a changed key").isFalse();
        assertThat(verifier.verify("127.77.1.2", 2222, node)).as("a host not in the file").isFalse();
        assertThat(Files.readString(file)).as("nothing is added to the file").isEqualTo(line("[127.77.1.1]:2222", node));
    }

    @Test
    void parsesTheFileOncePerVersionAndSeesAnEditAtTheNextCall() throws Exception {
        PublicKey first = ecKey();
        PublicKey second = ecKey();
        Path file = Files.writeString(dir.resolve("known_hosts"), line("10.0.0.1", first));

        HostKeyVerifier verifier = KnownHostsFile.verifier(file);
        assertThat(KnownHostsFile.verifier(file)).as("unchanged file: the same parsed verifier").isSameAs(verifier);
        assertThat(verifier.verify("10.0.0.2", 22, second)).isFalse();

        Files.writeString(file, line("10.0.0.1", first) + line("10.0.0.2", second));
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));

        HostKeyVerifier edited = KnownHostsFile.verifier(file);
        assertThat(edited).isNotSameAs(verifier);
        assertThat(edited.verify("10.0.0.2", 22, second)).isTrue();
        assertThat(edited.verify("10.0.0.1", 22, first)).isTrue();
    }

    private static PublicKey ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair().getPublic();
    }

    private static String line(String host, PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        return host + " ecdsa-sha2-nistp256 " + Base64.getEncoder().encodeToString(blob) + "\n";
    }
}
