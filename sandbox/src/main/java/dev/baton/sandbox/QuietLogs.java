package dev.baton.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jboss.logmanager.LogContext;

/**
 * Lowers the chatty log categories of the embedded Kafka broker, embedded PostgreSQL and Testcontainers to WARN,
 * programmatically, so no logging configuration file ends up on the class path of the modules that use the sandbox.
 * Touches no topics.
 */
final class QuietLogs {
    private static final Map<String, Level> LEVELS = Map.of(
            "kafka", Level.WARNING,
            "org.apache.kafka", Level.WARNING,
            // the broker warns on every fresh start that its metadata log is empty
            "org.apache.kafka.controller", Level.SEVERE,
            "state.change.logger", Level.WARNING,
            "io.zonky.test", Level.WARNING,
            "org.testcontainers", Level.WARNING,
            "com.github.dockerjava", Level.WARNING,
            // "no Docker engine" is an expected answer here: the sandbox then embeds the service instead
            "org.testcontainers.dockerclient", Level.OFF);
    /** Strong references: java.util.logging forgets the level of a logger nobody holds. */
    private static final List<Object> HELD = new ArrayList<>();

    private QuietLogs() {
    }

    static synchronized void apply() {
        if (!HELD.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Level> entry : LEVELS.entrySet()) {
            String category = entry.getKey();
            Level level = entry.getValue();
            Logger jul = Logger.getLogger(category);
            jul.setLevel(level);
            HELD.add(jul);
            try {
                // slf4j-jboss-logmanager logs through the JBoss log context even when it is not the JUL manager
                org.jboss.logmanager.Logger jboss = LogContext.getLogContext().getLogger(category);
                jboss.setLevel(level);
                HELD.add(jboss);
            } catch (LinkageError e) {
                // no JBoss LogManager on the class path: the JUL level above is all there is to set
            }
        }
    }
}
