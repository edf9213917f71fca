package dev.baton.messaging;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MalformedEventException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Decodes consumed records into Baton events. A record that is not a valid event is sent to
 * {@code baton.deadletter.v1} with the reason and an empty result is returned, so the consumer carries on; a record
 * that decoded but that its handler then failed on is dead-lettered the same way with {@link #refuse}.
 *
 * <p>Valid means: the {@code ce_*} headers of a CloudEvent 1.0 naming a known Baton event type that belongs on the
 * record's topic, a JSON value that the type's published schema accepts ({@link EventCodec#decode}), and the record
 * key equal to the event's clusterId (the key chooses the partition, and the partition chooses the planner instance
 * that drives the cluster: a record under another key would reach the wrong one).
 */
@ApplicationScoped
public class EventReader {
    private static final Logger LOG = Logger.getLogger(EventReader.class);

    private final EventPublisher publisher;

    public EventReader(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** The decoded event, or empty if the record was dead-lettered. */
    public Optional<EventCodec.Decoded> read(ConsumerRecord<String, byte[]> consumerRecord) {
        IncomingRecord record = IncomingRecord.of(consumerRecord);
        try {
            EventCodec.Decoded decoded = EventCodec.decode(record.headers(), record.value());
            if (!decoded.event().topic().equals(record.topic())) {
                throw new MalformedEventException(decoded.envelope().type() + " does not belong on " + record.topic());
            }
            String clusterId = decoded.event().clusterId();
            if (!(decoded.event() instanceof DeadLetter) && !clusterId.equals(record.key())) {
                throw new MalformedEventException(record.key() == null
                        ? "the record has no key; Baton keys every record by its clusterId ('" + clusterId + "')"
                        : "the record key is not the event's clusterId '" + clusterId + "'");
            }
            return Optional.of(decoded);
        } catch (MalformedEventException e) {
            publisher.deadLetter(record, e.getMessage());
            return Optional.empty();
        }
    }

    /** The decoded event if it is of the wanted family, else empty (other families are not errors). */
    public <T extends BatonEvent> Optional<T> read(ConsumerRecord<String, byte[]> consumerRecord, Class<T> family) {
        return read(consumerRecord).map(EventCodec.Decoded::event).filter(family::isInstance).map(family::cast);
    }

    /**
     * Dead-letters a record that decoded but that its handler failed on, naming the failure; the consumer carries on.
     * A {@link Redelivery} is not a refusal: it is thrown on, so the record stays uncommitted.
     */
    public void refuse(ConsumerRecord<String, byte[]> consumerRecord, Throwable failure) {
        if (Redelivery.requested(failure)) {
            throw failure instanceof RuntimeException runtime ? runtime : new Redelivery(failure.getMessage(), failure);
        }
        LOG.errorf(failure, "handling %s[%d]@%d failed", consumerRecord.topic(), consumerRecord.partition(),
                consumerRecord.offset());
        publisher.deadLetter(IncomingRecord.of(consumerRecord), handlerFailed(failure));
    }

    /** The reason of a dead letter whose handler failed: the failure's type and message, no stack trace. */
    public static String handlerFailed(Throwable failure) {
        return "the handler failed: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
}
