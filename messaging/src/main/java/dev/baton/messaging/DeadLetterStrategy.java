package dev.baton.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * The failure strategy of every incoming channel ({@code failure-strategy=baton-dead-letter}): a record whose handler
 * failed (nacked it) is published to {@code baton.deadletter.v1} as a {@code DeadLetter} with the failure as its
 * reason, then acknowledged, and the channel goes on with the next record. It never stops a channel, unlike
 * SmallRye's default {@code fail}; unlike the connector's {@code dead-letter-queue}, what lands on the topic is a
 * Baton event that names the refusing service and keeps the original bytes, headers and coordinates.
 *
 * <p>Listeners dead-letter what they can themselves (decoding through {@link EventReader}, handler failures per
 * record); this is the net under them, for whatever still escapes. A {@link Redelivery} (the service is stopping) is
 * the one failure that leaves the record uncommitted, so it is read again after the restart.
 */
@ApplicationScoped
@Identifier(DeadLetterStrategy.NAME)
public class DeadLetterStrategy implements KafkaFailureHandler.Factory {
    /** The value of {@code mp.messaging.incoming.<channel>.failure-strategy}. */
    public static final String NAME = "baton-dead-letter";

    private static final Logger LOG = Logger.getLogger(DeadLetterStrategy.class);

    private final EventPublisher publisher;

    public DeadLetterStrategy(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                      KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
        String channel = config.getChannel();
        return new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                if (Redelivery.requested(reason)) {
                    LOG.infof("channel %s: %s[%d]@%d left uncommitted for redelivery: %s", channel, record.getTopic(),
                            record.getPartition(), record.getOffset(), reason.getMessage());
                    reportFailure.accept(reason, true);
                    return Uni.createFrom().<Void>failure(reason).emitOn(record::runOnMessageContext);
                }
                return Uni.createFrom().item(() -> {
                    publisher.deadLetter(incoming(record), EventReader.handlerFailed(reason) + " (channel " + channel + ")");
                    return (Void) null;
                })
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .chain(() -> Uni.createFrom().completionStage(record.ack()))
                        .emitOn(record::runOnMessageContext);
            }
        };
    }

    private static <K, V> IncomingRecord incoming(IncomingKafkaRecord<K, V> record) {
        Object value = record.getPayload();
        byte[] bytes = value == null ? null
                : value instanceof byte[] raw ? raw : String.valueOf(value).getBytes(StandardCharsets.UTF_8);
        return new IncomingRecord(record.getTopic(), record.getPartition(), record.getOffset(),
                record.getKey() == null ? null : String.valueOf(record.getKey()), record.getHeaders(), bytes);
    }
}
