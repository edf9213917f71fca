package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** p50 / p99 / max of a sample of durations (nearest-rank percentiles, no interpolation). */
public record Percentiles(int count, Duration p50, Duration p99, Duration max) {

    /** The summary of {@code sample}; all zero for an empty sample. */
    public static Percentiles of(List<Duration> sample) {
        if (sample.isEmpty()) {
            return new Percentiles(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        }
        List<Duration> sorted = new ArrayList<>(sample);
        Collections.sort(sorted);
        return new Percentiles(sorted.size(), rank(sorted, 50), rank(sorted, 99), sorted.get(sorted.size() - 1));
    }

    /** Nearest rank: the smallest value with at least {@code percent}% of the sample at or below it. */
    static Duration rank(List<Duration> sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
