package dev.baton.executor.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Proves that no production code accepts every host key: no {@code PromiscuousVerifier}, and no
 * {@code HostKeyVerifier} whose {@code verify} (or lambda) simply returns true. Scans src/main as text, so
 * it also catches code that is not reached by any test.
 */
class NoAcceptAllHostKeyVerifierTest {
    /** The executor's own sources and the shared ssh module's, where every sshj client is set up. */
    private static final List<Path> MAIN_SOURCES = List.of(Path.of("src", "main"), Path.of("..", "ssh", "src", "main"));

    /** A verify method or lambda whose whole body is {@code return true}. */
    private static final Pattern ALWAYS_TRUE = Pattern.compile(
            "verify\\s*\\([^)]*\\)\\s*(?:throws[^{]*)?\\{\\s*return\\s+true\\s*;\\s*}"
                    + "|\\([^()]*\\)\\s*->\\s*true\\b"
                    + "|\\([^()]*\\)\\s*->\\s*\\{\\s*return\\s+true\\s*;\\s*}"
                    + "|\\b\\w+\\s*->\\s*true\\b");

    @Test
    void mainSourcesHaveNoAcceptAllHostKeyVerifier() {
        List<Path> sources = sources();
        assertThat(sources).as("the scan must see the executor's sources").isNotEmpty()
                .anyMatch(p -> p.endsWith("SshjRemoteShell.java"))
                .anyMatch(p -> p.endsWith("SshClients.java"));

        assertThat(sources).allSatisfy(source -> assertThat(offences(Files.readString(source)))
                .as("accept-all host key check in %s", source).isEmpty());
    }

    @Test
    void theScanRecognisesAcceptAllVerifiers() {
        assertThat(offences("client.addHostKeyVerifier(new PromiscuousVerifier());")).isNotEmpty();
        assertThat(offences("""
                class Trusting implements HostKeyVerifier {
                    public boolean verify(String host, int port, PublicKey key) { return true; }
                    public List<String> findExistingAlgorithms(String host, int port) { return List.of(); }
                }""")).isNotEmpty();
        assertThat(offences("""
                HostKeyVerifier any = new HostKeyVerifier() {
                    @Override
                    public boolean verify(String hostname, int port, PublicKey key) {
                        return true;
                    }
                };""")).isNotEmpty();
        assertThat(offences("client.addHostKeyVerifier((HostKeyVerifier) (h, p, k) -> true);")).isNotEmpty();
        assertThat(offences("client.loadKnownHosts(knownHosts.toFile());")).isEmpty();
    }

    /** What in this source text accepts every host key. */
    static List<String> offences(String source) {
        String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        Stream.Builder<String> found = Stream.builder();
        if (code.contains("PromiscuousVerifier")) {
            found.add("uses PromiscuousVerifier");
        }
        if (code.contains("HostKeyVerifier") && ALWAYS_TRUE.matcher(code).find()) {
            found.add("has a HostKeyVerifier that returns true unconditionally");
        }
        return found.build().toList();
    }

    private static List<Path> sources() {
        return MAIN_SOURCES.stream().flatMap(root -> {
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(p -> p.toString().endsWith(".java")).toList().stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
