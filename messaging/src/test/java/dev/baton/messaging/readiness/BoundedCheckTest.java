package dev.baton.messaging.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.sandbox.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BoundedCheckTest {
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    private static final Duration CACHE_FOR = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private final AtomicInteger asked = new AtomicInteger();
    private BoundedCheck check;

    @AfterEach
    void close() {
        if (check != null) {
            check.close();
        }
    }

    private BoundedCheck check(BoundedCheck.Question question) {
        check = new BoundedCheck("server", TIMEOUT, CACHE_FOR, clock, () -> {
            asked.incrementAndGet();
            return question.ask();
        });
        return check;
    }

    private static String reason(HealthCheckResponse response) {
        return String.valueOf(response.getData().orElseThrow().get("reason"));
    }

    @Test
    void anAnswerIsReusedForCacheForThenAskedAgain() {
        check(() -> Map.of("brokers", "1"));

        HealthCheckResponse first = check.call();
        assertThat(first.getStatus()).isEqualTo(Status.UP);
        assertThat(first.getName()).isEqualTo("server");
        assertThat(first.getData().orElseThrow()).containsEntry("brokers", "1");

        clock.advance(CACHE_FOR.minusMillis(1));
        assertThat(check.call().getStatus()).isEqualTo(Status.UP);
        assertThat(asked).as("a probe within cacheFor asks nobody").hasValue(1);

        clock.advance(Duration.ofMillis(1));
        check.call();
        assertThat(asked).hasValue(2);
    }

    @Test
    void aQuestionThatFailsIsDownWithItsOwnWordsAndTheFailureIsReusedToo() {
        check(() -> {
            throw new IllegalStateException("Kafka at localhost:1 did not answer");
        });

        HealthCheckResponse answer = check.call();
        assertThat(answer.getStatus()).isEqualTo(Status.DOWN);
        assertThat(reason(answer)).isEqualTo("Kafka at localhost:1 did not answer");
        check.call();
        assertThat(asked).hasValue(1);
    }

    @Test
    void aServerThatHangsIsDownAfterTheTimeoutAndIsNeverAskedTwiceAtOnce() throws Exception {
        CountDownLatch answers = new CountDownLatch(1);
        check(() -> {
            answers.await(30, TimeUnit.SECONDS);
            return Map.of("late", "yes");
        });

        long start = System.nanoTime();
        HealthCheckResponse first = check.call();
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(first.getStatus()).isEqualTo(Status.DOWN);
        assertThat(reason(first)).startsWith("no answer within PT0.2S");
        assertThat(waited).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofSeconds(5));

        clock.advance(CACHE_FOR.multipliedBy(2));
        assertThat(check.call().getStatus()).isEqualTo(Status.DOWN);
        assertThat(asked).as("the hanging question is the only one").hasValue(1);

        answers.countDown();
        HealthCheckResponse late = awaitUp();
        assertThat(late.getData().orElseThrow()).containsEntry("late", "yes");
        assertThat(asked).as("its late answer is kept, not asked again").hasValue(1);
    }

    /** The late answer arrives on the check's thread; each call waits for it at most TIMEOUT. */
    private HealthCheckResponse awaitUp() {
        for (int i = 0; i < 50; i++) {
            HealthCheckResponse answer = check.call();
            if (answer.getStatus() == Status.UP) {
                return answer;
            }
        }
        throw new AssertionError("the late answer never arrived");
    }
}
