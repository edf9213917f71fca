package dev.baton.procedure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The procedures Baton knows: the shipped ones ({@code matrix-server}, {@code dolphin-expressware})
 * plus any {@code *.yaml} in a user folder. Every file is validated when it is loaded.
 */
public final class ProcedureCatalog {
    /** The procedures that ship with Baton, as classpath resources under {@code /procedures/}. */
    public static final List<String> SHIPPED = List.of("matrix-server", "dolphin-expressware");

    private final Map<String, Procedure> procedures;

    private ProcedureCatalog(Map<String, Procedure> procedures) {
        this.procedures = Map.copyOf(procedures);
    }

    /** The shipped procedures. */
    public static ProcedureCatalog shipped() {
        return new ProcedureCatalog(loadShipped());
    }

    /** The shipped procedures plus every {@code *.yaml} file in {@code folder}; a user file may replace a shipped one. */
    public static ProcedureCatalog withUserFolder(Path folder) {
        return withUserFolders(List.of(folder));
    }

    /**
     * What a service configured with the one procedures folder every service reads ({@code baton.procedures.dir},
     * {@code BATON_PROCEDURES_DIR}) and its own older key (the planner's {@code baton.planner.procedures-dir}, health's
     * {@code baton.health.procedures}) knows: the shipped procedures, then the shared folder's, then the service's own
     * folder's (a later file replaces an earlier procedure of the same name). A folder named by both is read once.
     */
    public static ProcedureCatalog configured(Optional<Path> shared, Optional<Path> own) {
        List<Path> folders = Stream.concat(shared.stream(), own.stream())
                .map(folder -> folder.toAbsolutePath().normalize()).distinct().toList();
        return withUserFolders(folders);
    }

    /** The shipped procedures plus every {@code *.yaml} file of each folder in turn (a later one replaces an earlier). */
    public static ProcedureCatalog withUserFolders(List<Path> folders) {
        Map<String, Procedure> all = new LinkedHashMap<>(loadShipped());
        for (Path folder : folders) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .sorted().toList()) {
                    Procedure procedure = ProcedureParser.parse(file.toString(), Files.readString(file));
                    all.put(procedure.name(), procedure);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read procedure folder " + folder, e);
            }
        }
        return new ProcedureCatalog(all);
    }

    private static Map<String, Procedure> loadShipped() {
        Map<String, Procedure> shipped = new LinkedHashMap<>();
        for (String name : SHIPPED) {
            String resource = "/procedures/" + name + ".yaml";
            try (InputStream in = ProcedureCatalog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("shipped procedure missing from the classpath: " + resource);
                }
                Procedure procedure = ProcedureParser.parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                shipped.put(procedure.name(), procedure);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shipped;
    }

    public Optional<Procedure> get(String name) {
        return Optional.ofNullable(name == null ? null : procedures.get(name));
    }

    public Collection<Procedure> all() {
        return procedures.values();
    }
}
