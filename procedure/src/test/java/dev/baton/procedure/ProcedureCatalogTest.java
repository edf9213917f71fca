package dev.baton.procedure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one procedures folder every service reads, beside each service's own older key. */
class ProcedureCatalogTest {

    private static void write(Path folder, String name, String status) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(name + ".yaml"), """
                name: %s
                steps:
                  - name: fetch
                    command: "fetch ${targetVersion}"
                health:
                  command: "%s"
                  activePattern: "^up$"
                  versionPattern: "^v(\\\\S+)$"
                """.formatted(name, status));
    }

    @Test
    void theSharedFolderAloneGivesEveryServiceItsProcedures(@TempDir Path dir) throws IOException {
        write(dir.resolve("shared"), "kv-store", "kv status");

        ProcedureCatalog catalog = ProcedureCatalog.configured(Optional.of(dir.resolve("shared")), Optional.empty());

        assertThat(catalog.get("kv-store")).isPresent();
        assertThat(catalog.get("matrix-server")).as("the shipped ones stay").isPresent();
    }

    @Test
    void theServicesOwnOlderKeyStillWorksAndWinsOverTheSharedFolder(@TempDir Path dir) throws IOException {
        write(dir.resolve("shared"), "kv-store", "kv status");
        write(dir.resolve("shared"), "cache", "cache status");
        write(dir.resolve("own"), "kv-store", "kv status --verbose");

        ProcedureCatalog both = ProcedureCatalog.configured(Optional.of(dir.resolve("shared")), Optional.of(dir.resolve("own")));
        ProcedureCatalog ownOnly = ProcedureCatalog.configured(Optional.empty(), Optional.of(dir.resolve("own")));

        assertThat(both.get("kv-store").orElseThrow().health().command()).isEqualTo("kv status --verbose");
        assertThat(both.get("cache")).isPresent();
        assertThat(ownOnly.get("kv-store").orElseThrow().health().command()).isEqualTo("kv status --verbose");
        assertThat(ownOnly.get("cache")).isEmpty();
    }

    @Test
    void oneFolderNamedByBothKeysIsReadOnce(@TempDir Path dir) throws IOException {
        write(dir, "kv-store", "kv status");

        ProcedureCatalog catalog = ProcedureCatalog.configured(Optional.of(dir), Optional.of(dir.resolve(".")));

        assertThat(catalog.all()).hasSize(ProcedureCatalog.SHIPPED.size() + 1);
        assertThat(ProcedureCatalog.configured(Optional.empty(), Optional.empty()).all())
                .hasSize(ProcedureCatalog.SHIPPED.size());
    }
}
