package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
    @TempDir
    Path root;

    @Test
    void anArtifactIsStoredWithChecksumsAndCheckedWhenUsed() throws Exception {
        ArtifactCache cache = new ArtifactCache(root);

        ArtifactCache.Artifact stored = cache.store("x86_64/rhel8/5.21.0", scratch -> {
            Files.writeString(scratch.resolve("a.rpm"), "package a\n");
            return List.of("a.rpm");
        });

        assertThat(stored.sha256()).containsOnlyKeys("a.rpm");
        assertThat(cache.get("x86_64/rhel8/5.21.0")).contains(stored);
        assertThat(Files.readString(root.resolve("x86_64/rhel8/5.21.0/SHA256SUMS")))
                .isEqualTo(stored.sha256().get("a.rpm") + "  a.rpm\n");
        assertThat(cache.get("x86_64/rhel9/5.21.0")).isEmpty();

        Files.writeString(root.resolve("x86_64/rhel8/5.21.0/a.rpm"), "tampered\n");
        assertThatThrownBy(() -> cache.get("x86_64/rhel8/5.21.0")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not match its checksum");
    }

    @Test
    void aFailedFillLeavesNoArtifactAndKeysCannotLeaveTheCache() {
        ArtifactCache cache = new ArtifactCache(root);

        assertThatThrownBy(() -> cache.store("x86_64/rhel8/5.21.0", scratch -> {
            Files.writeString(scratch.resolve("half.rpm"), "half");
            throw new java.io.IOException("connection dropped");
        })).hasRootCauseMessage("connection dropped");

        assertThat(cache.get("x86_64/rhel8/5.21.0")).isEmpty();
        assertThatThrownBy(() -> cache.directory("../../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.directory("/abs")).isInstanceOf(IllegalArgumentException.class);
    }
}
