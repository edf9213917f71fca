package dev.baton.executor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The executor's local store of built artifacts, one directory per artifact key ({@code x86_64/rhel8/5.21.0}) holding
 * the files and a {@value #SUMS} manifest (sha256sum format). An artifact is stored whole or not at all (written to a
 * scratch directory, then renamed), and checked against its manifest every time it is used. Touches no topic.
 */
@ApplicationScoped
public class ArtifactCache {
    static final String SUMS = "SHA256SUMS";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,100}");

    private final Path root;

    @Inject
    public ArtifactCache(ExecutorConfig config) {
        this(config.artifactCache());
    }

    public ArtifactCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** A stored artifact: its directory and each file's sha256, by relative path. */
    public record Artifact(String key, Path directory, Map<String, String> sha256) {
        public List<String> files() {
            return new ArrayList<>(sha256.keySet());
        }
    }

    /** Fills the artifact's files in a scratch directory. */
    @FunctionalInterface
    public interface Filler<E extends Exception> {
        List<String> fill(Path scratch) throws E;
    }

    /** Stores an artifact: {@code filler} copies its files into a scratch directory; the manifest is computed here. */
    public <E extends Exception> Artifact store(String key, Filler<E> filler) throws E {
        Path target = directory(key);
        Path scratch = root.resolve(".incoming-" + UUID.randomUUID());
        try {
            Files.createDirectories(scratch);
            List<String> files = filler.fill(scratch);
            Map<String, String> sums = new LinkedHashMap<>();
            for (String file : files.stream().sorted().toList()) {
                sums.put(file, sha256(scratch.resolve(file)));
            }
            StringBuilder manifest = new StringBuilder();
            sums.forEach((file, sum) -> manifest.append(sum).append("  ").append(file).append('\n'));
            Files.writeString(scratch.resolve(SUMS), manifest.toString());
            Files.createDirectories(target.getParent());
            deleteTree(target);
            Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            return new Artifact(key, target, sums);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store artifact " + key + " in " + root, e);
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * The stored artifact, checked against its manifest; empty if it was never stored here.
     *
     * @throws IllegalStateException if a file is missing or its checksum differs from the manifest
     */
    public Optional<Artifact> get(String key) {
        Path dir = directory(key);
        Path manifest = dir.resolve(SUMS);
        if (!Files.isRegularFile(manifest)) {
            return Optional.empty();
        }
        try {
            Map<String, String> sums = new LinkedHashMap<>();
            for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                String sum = line.substring(0, 64);
                String file = line.substring(66);
                Path path = dir.resolve(file);
                if (!Files.isRegularFile(path) || !sha256(path).equals(sum)) {
                    throw new IllegalStateException("cached artifact " + key + ": " + file
                            + " is missing or does not match its checksum in " + manifest);
                }
                sums.put(file, sum);
            }
            return Optional.of(new Artifact(key, dir, sums));
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("cached artifact " + key + ": cannot read " + manifest + " (" + e + ")");
        }
    }

    /** The directory of a key; every segment must be a plain name, so no key reaches outside the cache. */
    Path directory(String key) {
        checkKey(key);
        Path dir = root;
        for (String segment : key.split("/")) {
            dir = dir.resolve(segment);
        }
        return dir;
    }

    /**
     * Checks that a key is made of plain names separated by {@code /} (letters, digits, '.', '_', '-').
     *
     * @throws IllegalArgumentException saying which part is not
     */
    public static void checkKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("an artifact needs a key");
        }
        for (String segment : key.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("artifact key '" + key + "': '" + segment
                        + "' is not a plain name (letters, digits, '.', '_', '-')");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static void deleteTree(Path top) {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> all = Files.walk(top)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover scratch directory is harmless
        }
    }
}
