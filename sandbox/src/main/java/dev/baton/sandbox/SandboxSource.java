package dev.baton.sandbox;

import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import org.testcontainers.DockerClientFactory;

/**
 * Where a sandbox service (Kafka or PostgreSQL) comes from: an external one named by a setting, a container when a
 * Docker engine answers, or else an embedded one. Touches no topics.
 */
public enum SandboxSource {
    /** Named by a setting (system property or environment variable) and used as is; never started or stopped. */
    EXTERNAL,
    /** A Testcontainers container; only when a Docker engine answers. */
    CONTAINER,
    /** Started by the sandbox itself from Maven artifacts, no Docker needed. */
    EMBEDDED;

    /** Setting that, when {@code false}, keeps the sandbox from starting containers even if a Docker engine answers. */
    public static final String DOCKER_SETTING = "BATON_SANDBOX_DOCKER";

    /**
     * Chooses the source: {@link #EXTERNAL} when {@code externalSetting} has a value, else {@link #CONTAINER} when
     * containers are allowed and Docker answers, else {@link #EMBEDDED}. Docker is asked only when it matters.
     */
    static SandboxSource choose(String externalSetting, UnaryOperator<String> settings, BooleanSupplier dockerAvailable) {
        if (settings.apply(externalSetting) != null) {
            return EXTERNAL;
        }
        if (!"false".equalsIgnoreCase(settings.apply(DOCKER_SETTING)) && dockerAvailable.getAsBoolean()) {
            return CONTAINER;
        }
        return EMBEDDED;
    }

    /** Chooses the source from this JVM's system properties and environment. */
    static SandboxSource choose(String externalSetting) {
        return choose(externalSetting, SandboxSource::setting, SandboxSource::dockerAvailable);
    }

    /** A setting's value: the system property of that name, else the environment variable; blank counts as unset. */
    static String setting(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv(name);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static boolean dockerAvailable() {
        QuietLogs.apply();
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
