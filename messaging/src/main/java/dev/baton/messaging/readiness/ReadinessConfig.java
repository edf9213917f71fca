package dev.baton.messaging.readiness;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How patient and how fresh the readiness checks that ask a server ({@link KafkaClusterCheck}, audit's store) are
 * ({@code baton.readiness.*}).
 */
@ConfigMapping(prefix = "baton.readiness")
public interface ReadinessConfig {

    /**
     * How long a probe waits for the server's answer before it reports DOWN ({@code BATON_READINESS_TIMEOUT}). Keep it
     * below the orchestrator's probe time-out (Kubernetes: {@code timeoutSeconds}, default 1 s; 3 s in deploy/).
     */
    @WithDefault("PT2S")
    Duration timeout();

    /** How long an answer is reused, so that frequent probes cost one round trip per period ({@code BATON_READINESS_CACHE_FOR}). */
    @WithDefault("PT5S")
    Duration cacheFor();
}
