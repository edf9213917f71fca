package dev.baton.health;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.util.Optional;

/** The one procedures folder every Baton service that needs procedures reads ({@code BATON_PROCEDURES_DIR}). */
@ConfigMapping(prefix = "baton.procedures")
public interface ProceduresConfig {
    /** A folder of user procedure YAML files, loaded beside the shipped ones (health's own key is read after it). */
    Optional<Path> dir();
}
