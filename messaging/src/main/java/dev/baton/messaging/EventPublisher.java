package dev.baton.messaging;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes Baton events on their topics as CloudEvents (binary mode), keyed by clusterId,
 * through the one outgoing channel {@value #CHANNEL}; the topic is chosen per message.
 * Also the single way a service dead-letters a message it cannot handle.
 */
@ApplicationScoped
public class EventPublisher {
    /** The outgoing channel every service configures (see each service's application.properties). */
    public static final String CHANNEL = "baton-out";

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private static final Backoff DEAD_LETTER_RETRY = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final MutinyEmitter<byte[]> emitter;
    private final String source;
    private volatile boolean stopping;

    public EventPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          MutinyEmitter<byte[]> emitter,
                          @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.emitter = emitter;
        this.source = "/baton/" + applicationName;
    }

    /** The CloudEvents source of this service, e.g. {@code /baton/planner-service}. */
    public String source() {
        return source;
    }

    /**
     * Publishes an event and waits until Kafka acknowledged it, so a caller that publishes
     * A then B knows A is on the log before B is sent.
     *
     * @return the envelope the event was sent with (its id is the causation id of reactions)
     */
    public EventEnvelope publish(BatonEvent event, String actor, String causationId) {
        EventEnvelope envelope = EventEnvelope.of(event, source, actor, causationId);
        emitter.sendMessageAndAwait(message(event, envelope));
        return envelope;
    }

    /**
     * Publishes an event with an envelope the caller chose (its id decided beforehand, e.g. recorded in an outbox so
     * a re-publication after a crash carries the same id), and waits until Kafka acknowledged it.
     */
    public void publish(BatonEvent event, EventEnvelope envelope) {
        emitter.sendMessageAndAwait(message(event, envelope));
    }

    /**
     * Sends an event with the envelope the caller chose without waiting: the returned stage completes when Kafka
     * acknowledged it. Events sent one after the other through this publisher reach each partition in that order;
     * a caller that needs A on its log before B is even sent uses {@link #publish(BatonEvent, EventEnvelope)}.
     */
    public java.util.concurrent.CompletableFuture<Void> publishAsync(BatonEvent event, EventEnvelope envelope) {
        return emitter.sendMessage(message(event, envelope)).subscribeAsCompletionStage();
    }

    /**
     * Sends a message that could not be handled to the dead-letter topic, with the reason, and logs it. Waits until
     * Kafka acknowledged it, trying again with back-off while Kafka is unreachable (nothing is lost, and the consumer
     * does not move past the record before its dead letter is on the log); gives up only when the service stops
     * ({@link Redelivery}: the record stays uncommitted and is read again after the restart).
     */
    public void deadLetter(IncomingRecord record, String reason) {
        LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(), reason);
        DeadLetter letter = DeadLetter.of(record.key(), record.topic(), record.partition(), record.offset(),
                record.headers(), record.value(), reason, source);
        String causation = EventCodec.header(record.headers(), EventCodec.H_ID);
        EventEnvelope envelope = EventEnvelope.of(letter, source, null,
                causation == null || causation.length() > EventCodec.MAX_ATTRIBUTE_LENGTH ? null : causation);
        for (int failures = 1; ; failures++) {
            try {
                publish(letter, envelope);
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new Redelivery("stopping before the dead letter of " + record.topic() + "["
                            + record.partition() + "]@" + record.offset() + " was sent", e);
                }
                Duration delay = DEAD_LETTER_RETRY.delay(failures);
                LOG.errorf("could not dead-letter %s[%d]@%d, trying again in %s: %s", record.topic(), record.partition(),
                        record.offset(), delay, e.getMessage());
                sleep(delay);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    private static void sleep(Duration delay) {
        Backoff.sleep(delay, "interrupted while waiting to dead-letter a record");
    }

    private static Message<byte[]> message(BatonEvent event, EventEnvelope envelope) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(event.topic())
                .withKey(event.clusterId())
                .withHeaders(EventCodec.toHeaders(envelope))
                .build();
        return Message.of(EventCodec.toJson(event)).addMetadata(metadata);
    }
}
