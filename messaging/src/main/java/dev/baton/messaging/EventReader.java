package dev.baton.messaging;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MalformedEventException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes consumed records into Baton events. A record that is not a valid event is sent to
 * {@code baton.deadletter.v1} with the reason and an empty result is returned, so the consumer carries on.
 */
@ApplicationScoped
public class EventReader {
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
}
