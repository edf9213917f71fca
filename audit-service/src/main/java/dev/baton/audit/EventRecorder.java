package dev.baton.audit;

import dev.baton.contracts.Topics;
import dev.baton.messaging.EventPublisher;
import dev.baton.messaging.IncomingRecord;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every {@code baton.*} topic (channel {@value #CHANNEL}) and stores each record in the
 * {@link AuditLog}, valid Baton event or not. The offset is committed only after the row is committed,
 * so a crash means redelivery, and redelivery is absorbed by the (topic, partition, offset) key.
 *
 * <ol>
 *   <li>Store the record (JSON value as jsonb, anything else as bytes).</li>
 *   <li>If PostgreSQL refuses the row itself, store the value as raw bytes instead.</li>
 *   <li>If it refuses even that, publish it to {@code baton.deadletter.v1} (which this service also stores)
 *       and move on; a dead letter that cannot be stored stops the channel rather than loop.</li>
 *   <li>If PostgreSQL is unavailable, wait with exponential back-off and try again, for as long as it takes:
 *       the record is never skipped.</li>
 * </ol>
 */
@ApplicationScoped
public class EventRecorder {
    /** The incoming channel reading all of {@link Topics#ALL}. */
    public static final String CHANNEL = "events";

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final AuditLog auditLog;
    private final EventPublisher publisher;
    private final Backoff backoff;
    private final CountDownLatch shutdown = new CountDownLatch(1);

    public EventRecorder(AuditLog auditLog, EventPublisher publisher, AuditConfig config) {
        this.auditLog = auditLog;
        this.publisher = publisher;
        this.backoff = new Backoff(config.storeRetry().firstDelay(), config.storeRetry().maxDelay());
    }

    @Incoming(CHANNEL)
    @Blocking
    public void record(ConsumerRecord<String, byte[]> record) {
        AuditedMessage message = AuditedMessage.of(record);
        int failures = 0;
        while (true) {
            try {
                auditLog.append(message);
                return;
            } catch (RuntimeException e) {
                if (StoreFailure.of(e) == StoreFailure.REFUSED_ROW) {
                    if (message.payload() instanceof Payload.Json) {
                        LOG.warnf("PostgreSQL refused %s as JSON, storing the value as raw bytes: %s",
                                message.coordinates(), e.getMessage());
                        message = message.withRawPayload();
                        continue;
                    }
                    deadLetter(record, e);
                    return;
                }
                failures++;
                Duration delay = backoff.delay(failures);
                LOG.warnf("could not store %s (failure %d), retrying in %s: %s",
                        message.coordinates(), failures, delay, e.getMessage());
                awaitRetry(delay, e);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown.countDown();
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException refusal) {
        if (Topics.DEADLETTER.equals(record.topic())) {
            LOG.errorf("the audit store refused dead letter %s[%d]@%d; stopping rather than dead-lettering it again: %s",
                    record.topic(), record.partition(), record.offset(), refusal.getMessage());
            throw refusal;
        }
        publisher.deadLetter(IncomingRecord.of(record), "the audit store refused it: " + refusal.getMessage());
    }

    /** Waits before the next attempt; gives up (the record stays uncommitted) if the service is stopping. */
    private void awaitRetry(Duration delay, RuntimeException failure) {
        try {
            if (shutdown.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }
}
