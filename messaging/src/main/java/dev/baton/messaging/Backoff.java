package dev.baton.messaging;

import java.time.Duration;

/**
 * Exponential back-off (retrying Kafka or PostgreSQL while they are unreachable): {@code first}, twice that, four times
 * ..., never more than {@code max}.
 */
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

    /** Waits {@code delay}; an interrupt becomes a {@link Redelivery} (the service is stopping). */
    public static void sleep(Duration delay, String interrupted) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Redelivery(interrupted, e);
        }
    }
}
