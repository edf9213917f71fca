package dev.baton.messaging.readiness;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * One readiness check that asks a server (a round trip to Kafka or PostgreSQL), made cheap and quick for probes
 * whatever the server does. Touches no topic itself.
 *
 * <ol>
 *   <li>An answer younger than {@code cacheFor} is returned as it is.</li>
 *   <li>Otherwise the question is asked on the check's own thread, unless the previous question is still unanswered:
 *       then there is never a second one, so a server that hangs holds one thread and one connection, not one per
 *       probe.</li>
 *   <li>The probe waits at most {@code timeout}. No answer by then is DOWN ("no answer within ..."); the question
 *       stays asked, and its answer, when it comes, is kept like any other.</li>
 *   <li>The question's data are the check's data when it is UP; its exception's message is the reason when DOWN.</li>
 * </ol>
 */
public final class BoundedCheck implements AutoCloseable {

    /** The question: returns what to show when the server answered, throws when it did not or said no. */
    @FunctionalInterface
    public interface Question {
        Map<String, String> ask() throws Exception;
    }

    private final String name;
    private final Duration timeout;
    private final Duration cacheFor;
    private final Clock clock;
    private final Question question;
    private final ExecutorService thread;

    private HealthCheckResponse lastAnswer;
    private Instant answeredAt;
    private CompletableFuture<HealthCheckResponse> pending;
    private Instant askedAt;

    public BoundedCheck(String name, Duration timeout, Duration cacheFor, Clock clock, Question question) {
        this.name = name;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.clock = clock;
        this.question = question;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "baton-readiness-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The check's current answer, in at most {@code timeout} (plus the time to take the lock). */
    public HealthCheckResponse call() {
        CompletableFuture<HealthCheckResponse> answer;
        Instant asked;
        synchronized (this) {
            Instant now = clock.instant();
            if (lastAnswer != null && now.isBefore(answeredAt.plus(cacheFor))) {
                return lastAnswer;
            }
            answer = pending;
            if (answer == null) {
                askedAt = now;
                answer = CompletableFuture.supplyAsync(this::askOnce, thread);
                pending = answer;
                answer.thenAccept(this::keep); // at once if already answered: keep() clears pending
            }
            asked = askedAt;
        }
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return down("no answer within " + timeout + " (asked at " + asked + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted while waiting for the answer");
        } catch (ExecutionException e) {
            return down(reason(e));
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private HealthCheckResponse askOnce() {
        try {
            HealthCheckResponseBuilder up = HealthCheckResponse.named(name).up();
            question.ask().forEach(up::withData);
            return up.build();
        } catch (Exception e) {
            return down(reason(e));
        }
    }

    private synchronized void keep(HealthCheckResponse answer) {
        lastAnswer = answer;
        answeredAt = clock.instant();
        pending = null;
    }

    private HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named(name).down().withData("reason", reason).build();
    }

    /** The message of what went wrong (the question's own words), else the exception's kind. */
    private static String reason(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
