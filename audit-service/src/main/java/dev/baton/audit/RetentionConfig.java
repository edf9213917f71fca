package dev.baton.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Monthly partitions and how long they are kept, under {@code baton.audit.retention}. */
@ConfigMapping(prefix = "baton.audit.retention")
public interface RetentionConfig {

    /** Months kept: a month's partition is dropped once all of it is older than this many months. */
    @WithDefault("12")
    int months();

    /** How many months ahead partitions are created. */
    @WithDefault("2")
    int monthsAhead();

    /** How often partitions are created and old ones dropped (0 or negative: only at start). */
    @WithDefault("PT1H")
    Duration interval();

    /** False: never drop anything (partitions are still created). */
    @WithDefault("true")
    boolean dropEnabled();
}
