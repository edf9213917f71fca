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
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * The executor's local store of built artifacts. An artifact belongs to the rollout that built it: it is found by
 * (rollout, key), so two clusters or rollouts building the same key ({@code x86_64/rhel8/5.21.0}) at once never see
 * each other's files, and nothing an earlier run left behind is ever pushed. Layout under the root:
 * <pre>
 *   &lt;rollout&gt;/&lt;key segments&gt;/.build-&lt;build&gt;/   the files, {@value #SUMS} (sha256sum format) and {@value #MANIFEST}
 *   &lt;rollout&gt;/&lt;key segments&gt;/{@value #CURRENT}               the name of the build in use, written last
 * </pre>
 * Each build is filled in a scratch directory of its own and renamed into its own directory (never onto another
 * build), its manifest names rollout, key and build, and the {@value #CURRENT} pointer is replaced atomically after
 * that: a reader sees the whole previous build or the whole new one. Every use checks the files against their
 * checksums and the manifest against the (rollout, key) asked for. Rollouts untouched for the retention period
 * ({@code baton.executor.artifact-retention}, default P7D) are deleted when the next artifact is stored. Touches no
 * topic.
 */
@ApplicationScoped
public class ArtifactCache {
    static final String SUMS = "SHA256SUMS";
    static final String MANIFEST = "BUILD";
    static final String CURRENT = ".current";
    private static final String BUILD_PREFIX = ".build-";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,100}");

    private final Path root;
    private final Duration retention;
    private final Clock clock;

    @Inject
    public ArtifactCache(ExecutorConfig config) {
        this(config.artifactCache(), config.artifactRetention(), Clock.systemUTC());
    }

    public ArtifactCache(Path root) {
        this(root, Duration.ofDays(7), Clock.systemUTC());
    }

    public ArtifactCache(Path root, Duration retention, Clock clock) {
        this.root = root.toAbsolutePath().normalize();
        this.retention = retention;
        this.clock = clock;
    }

    /** A stored artifact: the rollout that built it, its build, its directory and each file's sha256 by relative path. */
    public record Artifact(String rolloutId, String key, String build, Path directory, Map<String, String> sha256) {
        public List<String> files() {
            return new ArrayList<>(sha256.keySet());
        }
    }

    /** Fills the artifact's files in a scratch directory. */
    @FunctionalInterface
    public interface Filler<E extends Exception> {
        List<String> fill(Path scratch) throws E;
    }

    /**
     * Stores the artifact {@code key} of a rollout as the build {@code build} (e.g. the building command's id):
     * {@code filler} copies its files into a scratch directory; checksums and manifest are computed here, and the
     * build becomes the rollout's current one for the key only once it is complete.
     */
    public <E extends Exception> Artifact store(String rolloutId, String key, String build, Filler<E> filler) throws E {
        Path keyDir = directory(rolloutId, key);
        String buildName = segment(build);
        Path scratch = root.resolve(".incoming-" + UUID.randomUUID());
        try {
            prune();
            Files.createDirectories(scratch);
            List<String> files = filler.fill(scratch);
            Map<String, String> sums = new LinkedHashMap<>();
            for (String file : files.stream().sorted().toList()) {
                sums.put(file, sha256(scratch.resolve(file)));
            }
            StringBuilder manifest = new StringBuilder();
            sums.forEach((file, sum) -> manifest.append(sum).append("  ").append(file).append('\n'));
            Files.writeString(scratch.resolve(SUMS), manifest.toString());
            Files.writeString(scratch.resolve(MANIFEST), manifest(rolloutId, key, buildName));
            Files.createDirectories(keyDir);
            Path target = keyDir.resolve(BUILD_PREFIX + buildName + "-" + UUID.randomUUID());
            Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            Path pointer = keyDir.resolve(CURRENT + "-" + UUID.randomUUID());
            Files.writeString(pointer, target.getFileName() + "\n");
            Files.move(pointer, keyDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(rolloutDir(rolloutId), FileTime.from(clock.instant()));
            return new Artifact(rolloutId, key, buildName, target, sums);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store artifact " + key + " of rollout " + rolloutId + " in " + root, e);
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * The rollout's current build of the artifact, checked against its checksums and manifest; empty if this rollout
     * stored none here.
     *
     * @throws IllegalStateException if a file is missing, a checksum differs or the manifest names another build
     */
    public Optional<Artifact> get(String rolloutId, String key) {
        Path keyDir = directory(rolloutId, key);
        Path pointer = keyDir.resolve(CURRENT);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        Path dir;
        try {
            String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            if (!name.startsWith(BUILD_PREFIX) || !SEGMENT.matcher(name.substring(1)).matches()) {
                throw new IllegalStateException("cached artifact " + key + ": " + pointer + " names no build");
            }
            dir = keyDir.resolve(name);
        } catch (IOException e) {
            throw new IllegalStateException("cached artifact " + key + ": cannot read " + pointer + " (" + e + ")");
        }
        Path manifest = dir.resolve(SUMS);
        try {
            Map<String, String> build = readManifest(dir.resolve(MANIFEST));
            if (!rolloutId.equals(build.get("rollout")) || !key.equals(build.get("key"))) {
                throw new IllegalStateException("cached artifact " + key + ": " + dir + " was built for rollout "
                        + build.get("rollout") + ", key " + build.get("key") + ", not for rollout " + rolloutId);
            }
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
            return Optional.of(new Artifact(rolloutId, key, build.get("build"), dir, sums));
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("cached artifact " + key + ": cannot read " + manifest + " (" + e + ")");
        }
    }

    private static String manifest(String rolloutId, String key, String build) {
        return "rollout=" + rolloutId + "\nkey=" + key + "\nbuild=" + build + "\n";
    }

    private static Map<String, String> readManifest(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    /** Deletes every rollout's artifacts untouched for longer than the retention period. */
    void prune() {
        if (!Files.isDirectory(root)) {
            return;
        }
        Instant oldest = clock.instant().minus(retention);
        try (Stream<Path> rollouts = Files.list(root)) {
            for (Path dir : rollouts.filter(Files::isDirectory).toList()) {
                if (!dir.getFileName().toString().startsWith(".")
                        && Files.getLastModifiedTime(dir).toInstant().isBefore(oldest)) {
                    deleteTree(dir);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // pruning is best effort: a directory that vanished or cannot be read is left for the next store
        }
    }

    private Path rolloutDir(String rolloutId) {
        return root.resolve(segment(rolloutId));
    }

    /** A plain directory name for an id: the id itself when it is one, else a digest of it. */
    static String segment(String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("an artifact needs the rollout and build it belongs to");
        }
        if (SEGMENT.matcher(id).matches()) {
            return id;
        }
        return "id-" + HexFormat.of().formatHex(digest(id.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The directory of a rollout's key; every segment must be a plain name, so no key reaches outside the cache. */
    Path directory(String rolloutId, String key) {
        checkKey(key);
        Path dir = rolloutDir(rolloutId);
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
