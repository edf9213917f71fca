package dev.baton.executor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How this executor instance works ({@code baton.executor.*}; env {@code BATON_EXECUTOR_POOL},
 * {@code BATON_EXECUTOR_CONCURRENCY}, {@code BATON_EXECUTOR_INSTANCE_ID}, {@code BATON_EXECUTOR_OUTPUT_CHUNK_BYTES},
 * {@code BATON_EXECUTOR_OUTPUT_INTERVAL}, {@code BATON_EXECUTOR_ARTIFACT_CACHE},
 * {@code BATON_EXECUTOR_ARTIFACT_RETENTION}, {@code BATON_EXECUTOR_SHUTDOWN_GRACE}).
 */
@ConfigMapping(prefix = "baton.executor")
public interface ExecutorConfig {

    /**
     * The executor pool this instance serves: it acts only on commands whose {@code executorPool} equals it (no pool:
     * only commands without a pool). Also part of the consumer group name, so each pool sees every command once.
     */
    Optional<String> pool();

    /**
     * This instance's stable identity in the {@code baton-executor-<pool>} consumer group (static membership): a
     * restarted instance with the same id takes its partitions back at once. Unique per instance, the same across its
     * restarts (a StatefulSet pod name in Kubernetes); default {@code executor-<http port>}.
     */
    String instanceId();

    /** How many commands (of different clusters) run at once; one cluster never has two at once. */
    @WithDefault("64")
    int concurrency();

    /** The most bytes one {@code StepOutput} chunk carries. */
    @WithDefault("2048")
    int outputChunkBytes();

    /** At most one {@code StepOutput} chunk per command per this interval; output beyond that is counted, not sent. */
    @WithDefault("PT1S")
    Duration outputInterval();

    /**
     * Where built artifacts are kept (per rollout and artifact key, each build with a SHA256SUMS file and a manifest);
     * by default a directory of this instance's own, kept across its restarts and shared with no other instance.
     */
    @WithDefault("${java.io.tmpdir}/baton-artifacts/${baton.executor.instance-id}")
    Path artifactCache();

    /** A rollout's artifacts are deleted once untouched for this long (checked whenever an artifact is stored). */
    @WithDefault("P7D")
    Duration artifactRetention();

    /** On shutdown, how long running commands may take to finish; queued ones are handed back at once. */
    @WithDefault("PT30S")
    Duration shutdownGrace();
}
