package dev.baton.executor;

import dev.baton.contracts.NodeCommand;
import dev.baton.messaging.EventReader;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code baton.commands.v1} (group {@code baton-executor}) one record at a time; a record that is not
 * a valid command goes to {@code baton.deadletter.v1} and the consumer carries on.
 */
@ApplicationScoped
public class CommandListener {
    private final EventReader reader;
    private final CommandExecutor executor;

    public CommandListener(EventReader reader, CommandExecutor executor) {
        this.reader = reader;
        this.executor = executor;
    }

    @Incoming("commands")
    @Blocking
    public void on(ConsumerRecord<String, byte[]> record) {
        reader.read(record).ifPresent(decoded -> {
            if (decoded.event() instanceof NodeCommand command) {
                executor.execute(command, decoded.envelope());
            }
        });
    }
}
