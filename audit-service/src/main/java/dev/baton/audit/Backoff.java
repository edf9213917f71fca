package dev.baton.audit;

import java.time.Duration;

/** Exponential back-off: {@code first}, twice that, four times ..., never more than {@code max}. */
public record Backoff(Duration first, Duration max) {

    public Backoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < first <= max, got first=" + first + " max=" + max);
        }
    }

    /** The wait after the given number of consecutive failures (1 = the first failure). */
    public Duration delay(int failures) {
        Duration delay = first;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
