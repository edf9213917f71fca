package dev.baton.audit;

import dev.baton.contracts.Topics;
import dev.baton.messaging.EventPublisher;
import dev.baton.messaging.Backoff;
import dev.baton.messaging.IncomingRecord;
import dev.baton.messaging.Redelivery;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every {@code baton.*} topic (channel {@value #CHANNEL}, in batches of up to {@code max.poll.records})
 * and stores each record in the {@link AuditLog}, valid Baton event or not. A batch is acknowledged only after
 * its rows are committed, and the connector commits only acknowledged offsets: a crash means redelivery, and
 * redelivery is recognised by (topic, partition, offset).
 *
 * <ol>
 *   <li>Store the whole batch in one transaction (JSON values as jsonb, anything else as bytes).</li>
 *   <li>If PostgreSQL refuses a row, store the batch again one record at a time, so that only the refused record
 *       takes the following steps.</li>
 *   <li>If PostgreSQL refuses the record itself, store its value as raw bytes instead.</li>
 *   <li>If it refuses even that, publish it to {@code baton.deadletter.v1} (which this service also stores)
 *       and move on; a dead letter that cannot be stored is logged and skipped (dead-lettering it again would
 *       loop forever): the channel never stops.</li>
 *   <li>If PostgreSQL is unavailable, wait with exponential back-off and try again, for as long as it takes:
 *       nothing is skipped. If the service stops meanwhile, the batch is left uncommitted ({@link Redelivery}) and
 *       read again after the restart.</li>
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

    /** One poll's worth of records; returns (and so acknowledges them) only once all are stored. */
    @Incoming(CHANNEL)
    @Blocking
    public void recordBatch(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
        records.forEach(batch::add);
        record(batch);
    }

    /** Stores the records (in Kafka order) as one batch, falling back to one by one if a row is refused. */
    public void record(List<ConsumerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        List<AuditedMessage> messages = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            messages.add(AuditedMessage.of(record));
        }
        int failures = 0;
        while (true) {
            try {
                auditLog.appendBatch(messages);
                return;
            } catch (RuntimeException e) {
                if (StoreFailure.of(e) == StoreFailure.REFUSED_ROW) {
                    if (records.size() > 1) {
                        LOG.warnf("PostgreSQL refused a row of a batch of %d, storing them one by one: %s",
                                records.size(), e.getMessage());
                        records.forEach(this::record);
                        return;
                    }
                    recordRefused(records.get(0), messages.get(0), e);
                    return;
                }
                failures = awaitRetry(failures, messages.get(0), e);
            }
        }
    }

    /** Stores a single record that PostgreSQL refused once: as raw bytes, else dead-lettered. */
    public void record(ConsumerRecord<String, byte[]> record) {
        record(List.of(record));
    }

    private void recordRefused(ConsumerRecord<String, byte[]> record, AuditedMessage message, RuntimeException refusal) {
        RuntimeException last = refusal;
        int failures = 0;
        while (true) {
            if (StoreFailure.of(last) == StoreFailure.REFUSED_ROW) {
                if (!(message.payload() instanceof Payload.Json)) {
                    deadLetter(record, last);
                    return;
                }
                LOG.warnf("PostgreSQL refused %s as JSON, storing the value as raw bytes: %s",
                        message.coordinates(), last.getMessage());
                message = message.withRawPayload();
            } else {
                failures = awaitRetry(failures, message, last);
            }
            try {
                auditLog.appendBatch(List.of(message));
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown.countDown();
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException refusal) {
        if (Topics.DEADLETTER.equals(record.topic())) {
            LOG.errorf("the audit store refused dead letter %s[%d]@%d even as raw bytes; skipped rather than "
                    + "dead-lettered again (which would loop): %s", record.topic(), record.partition(), record.offset(),
                    refusal.getMessage());
            return;
        }
        publisher.deadLetter(IncomingRecord.of(record), "the audit store refused it: " + refusal.getMessage());
    }

    /** Waits before the next attempt; gives up (the records stay uncommitted) if the service is stopping. */
    private int awaitRetry(int failuresSoFar, AuditedMessage first, RuntimeException failure) {
        int failures = failuresSoFar + 1;
        Duration delay = backoff.delay(failures);
        LOG.warnf("could not store from %s (failure %d), retrying in %s: %s",
                first.coordinates(), failures, delay, failure.getMessage());
        try {
            if (shutdown.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Redelivery("stopping before " + first.coordinates() + " was stored", failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Redelivery("interrupted before " + first.coordinates() + " was stored", failure);
        }
        return failures;
    }
}
