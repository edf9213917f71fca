package dev.baton.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * SSH stays behind {@link NodeProbe}: the health service builds no sshj client of its own (the shared ssh module's
 * {@code SshClients} does, with strict known_hosts), and no accept-all host-key check exists.
 */
class SshConfinementTest {
    private static final Path MAIN = Path.of("src/main/java");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void noHealthSourceImportsSshj() throws IOException {
        List<Path> sources = sources();
        assertThat(sources).isNotEmpty();
        List<String> users = sources.stream()
                .filter(f -> read(f).contains("import net.schmizz.") || read(f).contains("import com.hierynomus."))
                .map(f -> f.getFileName().toString())
                .toList();
        assertThat(users).isEmpty();
    }

    @Test
    void noAcceptAllHostKeyVerifier() throws IOException {
        assertThat(sources()).noneMatch(f -> read(f).contains("PromiscuousVerifier"));
        // the one client: the shared ssh module's, whose only verifier is strict known_hosts (its KnownHostsFileTest
        // refuses unknown and changed keys); nothing here adds a verifier
        assertThat(sources()).noneMatch(f -> read(f).contains("addHostKeyVerifier"));
        String probe = read(MAIN.resolve("dev/baton/health/probe/SshNodeProbe.java"));
        assertThat(probe).contains("SshClients.forProbes(config)");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
