package dev.baton.executor;

import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.NodeCommand;
import dev.baton.messaging.EventReader;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes {@code baton.commands.v1} (group {@code baton-executor-<pool>}) and hands each command to its
 * cluster's lane in {@link ClusterLanes}: commands of different clusters run at once, one cluster's one after the
 * other. A record is acknowledged (its offset may be committed) only when its command is over, so a command that
 * was queued or running when the instance died is redelivered. A record that is not a valid command (the schema
 * checks its SSH target too), or that fails in a way no step result reports, goes to {@code baton.deadletter.v1} and
 * the consumer carries on.
 */
@ApplicationScoped
public class CommandListener {
    private static final Logger LOG = Logger.getLogger(CommandListener.class);

    private final EventReader reader;
    private final CommandExecutor executor;
    private final ClusterLanes lanes;
    private final Duration shutdownGrace;

    @Inject
    public CommandListener(EventReader reader, CommandExecutor executor, ExecutorConfig config) {
        this.reader = reader;
        this.executor = executor;
        this.lanes = new ClusterLanes(config.concurrency());
        this.shutdownGrace = config.shutdownGrace();
    }

    @Incoming("commands")
    @Blocking
    public CompletionStage<Void> on(Message<byte[]> message) {
        ConsumerRecord<String, byte[]> record = record(message);
        if (record == null) {
            return message.ack();
        }
        var decoded = reader.read(record);
        if (decoded.isEmpty() || !(decoded.get().event() instanceof NodeCommand command)) {
            return message.ack();
        }
        if (!executor.serves(command.executorPool())) {
            return message.ack(); // another pool's executors have their own consumer group and run it
        }
        try {
            boolean accepted = lanes.submit(command.clusterId(), () -> execute(record, command, decoded.get().envelope()),
                    message::ack);
            if (!accepted) {
                LOG.infof("shutting down: command %s not started; it will be redelivered", command.commandId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Runs a command in its cluster's lane. A failure the executor did not turn into a step result itself is the
     * command's dead letter, and the record is acknowledged all the same: an unacknowledged record would hold back
     * every later offset of its partition until the channel gave up on it.
     */
    private void execute(ConsumerRecord<String, byte[]> record, NodeCommand command, EventEnvelope envelope) {
        try {
            executor.execute(command, envelope);
        } catch (RuntimeException failure) {
            reader.refuse(record, failure);
        }
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<String, byte[]> record(Message<byte[]> message) {
        return message.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> (ConsumerRecord<String, byte[]>) m.getRecord()).orElse(null);
    }

    /** Graceful shutdown: queued commands are handed back, running ones get {@code baton.executor.shutdown-grace}. */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        lanes.shutdown(shutdownGrace);
    }
}
