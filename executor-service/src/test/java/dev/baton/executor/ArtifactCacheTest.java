package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
    private static final String KEY = "x86_64/rhel8/5.21.0";

    @TempDir
    Path root;

    @Test
    void anArtifactIsStoredWithChecksumsAndCheckedWhenUsed() throws Exception {
        ArtifactCache cache = new ArtifactCache(root);

        ArtifactCache.Artifact stored = storeOne(cache, "r1", "build-1", "package a\n");

        assertThat(stored.sha256()).containsOnlyKeys("a.rpm");
        assertThat(cache.get("r1", KEY)).contains(stored);
        assertThat(Files.readString(stored.directory().resolve("SHA256SUMS")))
                .isEqualTo(stored.sha256().get("a.rpm") + "  a.rpm\n");
        assertThat(Files.readString(stored.directory().resolve("BUILD")))
                .isEqualTo("rollout=r1\nkey=" + KEY + "\nbuild=build-1\n");
        assertThat(cache.get("r1", "x86_64/rhel9/5.21.0")).isEmpty();
        assertThat(cache.get("r2", KEY)).as("another rollout never gets r1's build").isEmpty();

        Files.writeString(stored.directory().resolve("a.rpm"), "tampered\n");
        assertThatThrownBy(() -> cache.get("r1", KEY)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not match its checksum");
    }

    @Test
    void aFailedFillLeavesNoArtifactAndKeysCannotLeaveTheCache() throws Exception {
        ArtifactCache cache = new ArtifactCache(root);
        ArtifactCache.Artifact good = storeOne(cache, "r1", "build-1", "good");

        assertThatThrownBy(() -> cache.store("r1", KEY, "build-2", scratch -> {
            Files.writeString(scratch.resolve("half.rpm"), "half");
            throw new java.io.IOException("connection dropped");
        })).hasRootCauseMessage("connection dropped");

        assertThat(cache.get("r1", KEY)).as("a half-written build never replaces the whole one").contains(good);
        assertThat(cache.get("r9", KEY)).isEmpty();
        assertThatThrownBy(() -> cache.directory("r1", "../../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.directory("r1", "/abs")).isInstanceOf(IllegalArgumentException.class);
        assertThat(cache.directory("../../etc", KEY).normalize()).startsWithRaw(root);
    }

    @Test
    void aManifestNamingAnotherRolloutIsNeverHandedOut() throws Exception {
        ArtifactCache cache = new ArtifactCache(root);
        ArtifactCache.Artifact stored = storeOne(cache, "r1", "build-1", "a");
        Files.writeString(stored.directory().resolve("BUILD"), "rollout=r0\nkey=" + KEY + "\nbuild=old\n");

        assertThatThrownBy(() -> cache.get("r1", KEY)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was built for rollout r0");
    }

    /**
     * The race of issue 15: clusters of the same product and arch building the same key at once. Every store
     * succeeds, and every rollout reads back exactly the files it built, whole, while the others keep storing.
     */
    @Test
    void concurrentBuildsOfOneKeyNeitherCollideNorSeeEachOthersFiles() throws Exception {
        ArtifactCache cache = new ArtifactCache(root);
        int rollouts = 8;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(rollouts);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int r = 0; r < rollouts; r++) {
                String rollout = "rollout-" + r;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        String content = rollout + " round " + round + "\n";
                        cache.store(rollout, KEY, "build-" + round, scratch -> {
                            Files.writeString(scratch.resolve("a.rpm"), content);
                            Files.writeString(scratch.resolve("b.rpm"), content.repeat(1000));
                            return List.of("a.rpm", "b.rpm");
                        });
                        ArtifactCache.Artifact read = cache.get(rollout, KEY).orElseThrow();
                        assertThat(read.build()).isEqualTo("build-" + round);
                        assertThat(Files.readString(read.directory().resolve("a.rpm"))).isEqualTo(content);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rolloutsUntouchedForTheRetentionPeriodAreDeletedWhenTheNextArtifactIsStored() throws Exception {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        ArtifactCache cache = new ArtifactCache(root, Duration.ofDays(7), Clock.fixed(now, ZoneOffset.UTC));
        ArtifactCache.Artifact old = storeOne(cache, "old", "b", "a");
        ArtifactCache.Artifact recent = storeOne(cache, "recent", "b", "a");
        Files.setLastModifiedTime(root.resolve("old"), FileTime.from(now.minus(Duration.ofDays(8))));
        Files.setLastModifiedTime(root.resolve("recent"), FileTime.from(now.minus(Duration.ofDays(6))));

        storeOne(cache, "new", "b", "a");

        assertThat(old.directory()).doesNotExist();
        assertThat(cache.get("old", KEY)).isEmpty();
        assertThat(cache.get("recent", KEY)).contains(recent);
    }

    /** Stores a one-file artifact ({@code a.rpm} holding {@code content}) as the rollout's build {@code build}. */
    private static ArtifactCache.Artifact storeOne(ArtifactCache cache, String rollout, String build, String content)
            throws java.io.IOException {
        return cache.store(rollout, KEY, build, scratch -> {
            Files.writeString(scratch.resolve("a.rpm"), content);
            return List.of("a.rpm");
        });
    }
}
