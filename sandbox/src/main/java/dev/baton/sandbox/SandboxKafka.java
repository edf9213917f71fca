package dev.baton.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;

import dev.baton.contracts.Topics;

/**
 * A real Kafka broker (KRaft) for tests and the demo, with every {@code baton.*} topic of {@link Topics#ALL} created
 * with one partition count ({@code baton.clusters.v1} compacted).
 *
 * <p>{@link #shared()} picks the broker once per JVM: the bootstrap address in {@value #BOOTSTRAP_SETTING} (system
 * property or environment variable) if set, else a Testcontainers broker if a Docker engine answers, else a
 * single-node broker embedded in this JVM from Apache Kafka's own test kit. A broker the sandbox started is stopped
 * by {@link #close()} or, for the shared one, when the JVM exits.
 */
public final class SandboxKafka implements AutoCloseable {
    /** Setting (system property or environment variable) naming an external broker's bootstrap servers. */
    public static final String BOOTSTRAP_SETTING = "BATON_KAFKA_BOOTSTRAP";
    /** Setting (system property or environment variable) for the shared broker's partition count per topic. */
    public static final String PARTITIONS_SETTING = "BATON_KAFKA_PARTITIONS";
    /** Partitions of every {@code baton.*} topic unless configured otherwise. */
    public static final int DEFAULT_PARTITIONS = 3;
    /** How long the JVM's shutdown waits for the shared broker to close. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(SandboxKafka.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHILD_START_TIMEOUT = Duration.ofSeconds(90);
    private static SandboxKafka shared;

    private final String bootstrapServers;
    private final int partitions;
    private final SandboxSource source;
    private final AutoCloseable broker;
    private Restarter restarter;
    private boolean closed;

    private SandboxKafka(String bootstrapServers, int partitions, SandboxSource source, AutoCloseable broker) {
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.source = source;
        this.broker = broker;
    }

    /** The broker shared by this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized SandboxKafka shared() {
        if (shared == null) {
            SandboxKafka kafka = start(configuredPartitions());
            LOG.info("Sandbox Kafka: {}", kafka);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> kafka.closeWithin(SHUTDOWN_GRACE), "baton-sandbox-kafka-stop"));
            shared = kafka;
        }
        return shared;
    }

    /**
     * A broker of its own (not shared), chosen like {@link #shared()}, with every {@code baton.*} topic created with
     * {@code partitions} partitions. The caller closes it.
     */
    public static SandboxKafka start(int partitions) {
        requirePositive(partitions);
        SandboxSource source = SandboxSource.choose(BOOTSTRAP_SETTING);
        return switch (source) {
            case EXTERNAL -> withTopics(new SandboxKafka(SandboxSource.setting(BOOTSTRAP_SETTING), partitions, source, () -> {
            }));
            case CONTAINER -> startContainer(partitions);
            case EMBEDDED -> startEmbedded(partitions);
        };
    }

    /** A single-node KRaft broker (combined controller and broker) running inside this JVM. The caller closes it. */
    public static SandboxKafka startEmbedded(int partitions) {
        requirePositive(partitions);
        QuietLogs.apply();
        keepTheJvmAlive();
        KafkaClusterTestKit cluster = null;
        try {
            // one combined node: a separate controller quorum only slows start-up and close down
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            singleNodeSettings(partitions).forEach(builder::setConfigProp);
            // behave like a released broker: the test kit would otherwise enable unreleased features
            builder.setConfigProp("unstable.api.versions.enable", "false");
            builder.setConfigProp("unstable.feature.versions.enable", "false");
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return withTopics(new SandboxKafka(cluster.bootstrapServers(), partitions, SandboxSource.EMBEDDED, cluster));
        } catch (Exception e) {
            closeQuietly(cluster);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not start the embedded Kafka broker: " + e, e);
        }
    }

    /**
     * A single-node KRaft broker in a child JVM ({@code kafka.tools.StorageTool format}, then {@code kafka.Kafka}),
     * with its configuration, data and log ({@code kafka.log}) under {@code dir}. The caller closes it.
     */
    public static SandboxKafka startChildProcess(Path dir, int partitions) {
        requirePositive(partitions);
        QuietLogs.apply();
        AtomicReference<Process> current = new AtomicReference<>();
        try {
            Files.createDirectories(dir);
            int brokerPort = freePort();
            int controllerPort = freePort();
            String bootstrap = "localhost:" + brokerPort;
            Path config = dir.resolve("server.properties");
            Files.writeString(config, childServerProperties(dir.resolve("data"), brokerPort, controllerPort, partitions));
            Path log = dir.resolve("kafka.log");

            Process format = javaProcess(dir, log, "kafka.tools.StorageTool", "format",
                    "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString(), "--ignore-formatted");
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka.tools.StorageTool format failed; see " + log);
            }
            current.set(javaProcess(dir, log, "kafka.Kafka", config.toString()));
            Thread reaper = new Thread(() -> stopProcess(current.get()), "baton-sandbox-kafka-child-stop");
            Runtime.getRuntime().addShutdownHook(reaper);
            awaitBroker(bootstrap, current.get(), log);
            SandboxKafka kafka = new SandboxKafka(bootstrap, partitions, SandboxSource.EMBEDDED, () -> {
                stopProcess(current.get());
                removeHook(reaper);
            });
            kafka.restarter = () -> {
                // SIGKILL, as a crash would (nothing flushed, no controlled shutdown), then the same configuration: the
                // same ports and the same log directory, so clients reconnect to the address they know
                Process old = current.get();
                old.destroyForcibly();
                if (!old.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the Kafka child process did not die within 30 s of SIGKILL");
                }
                current.set(javaProcess(dir, log, "kafka.Kafka", config.toString()));
                awaitBroker(bootstrap, current.get(), log);
            };
            return withTopics(kafka);
        } catch (IOException e) {
            stopProcess(current.get());
            throw new UncheckedIOException("Could not start Kafka as a child process in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            stopProcess(current.get());
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting Kafka as a child process", e);
        } catch (RuntimeException e) {
            stopProcess(current.get());
            throw e;
        }
    }

    /** Restarts a broker in place; see {@link #killAndRestart()}. */
    @FunctionalInterface
    private interface Restarter {
        void restart() throws IOException, InterruptedException;
    }

    /** Whether {@link #killAndRestart()} works: only for a broker in a child process ({@link #startChildProcess}). */
    public boolean restartable() {
        return restarter != null;
    }

    /**
     * Kills the broker with SIGKILL and starts it again with the same configuration (same ports, same log directory),
     * returning once it answers; for a broker started by {@link #startChildProcess} only.
     */
    public synchronized void killAndRestart() {
        if (restarter == null) {
            throw new IllegalStateException(this + " cannot be restarted: only a child-process broker (startChildProcess) can");
        }
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
        try {
            restarter.restart();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not restart the Kafka child process: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while restarting the Kafka child process", e);
        }
    }

    private static SandboxKafka startContainer(int partitions) {
        QuietLogs.apply();
        KafkaContainer container = new KafkaContainer("apache/kafka:" + AppInfoParser.getVersion())
                .withEnv("KAFKA_NUM_PARTITIONS", Integer.toString(partitions))
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        try {
            container.start();
            return withTopics(new SandboxKafka(container.getBootstrapServers(), partitions, SandboxSource.CONTAINER, container::stop));
        } catch (RuntimeException e) {
            closeQuietly(container::stop);
            throw new IllegalStateException("Could not start the Kafka container: " + e.getMessage(), e);
        }
    }

    /** Bootstrap servers for clients ({@code kafka.bootstrap.servers}). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Partition count of every {@code baton.*} topic this sandbox created. */
    public int partitions() {
        return partitions;
    }

    /** Where this broker came from. */
    public SandboxSource source() {
        return source;
    }

    /**
     * Creates every topic of {@link Topics#ALL} and {@link Topics#INTERNAL} that does not exist yet, with {@link #partitions()} partitions
     * ({@link Topics#COMPACTED} ones log-compacted). Existing topics are left as they are.
     */
    public void createTopics() {
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : java.util.stream.Stream.concat(Topics.ALL.stream(), Topics.INTERNAL.stream()).toList()) {
                if (!existing.contains(topic)) {
                    NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty());
                    if (Topics.COMPACTED.contains(topic)) {
                        newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(newTopic);
                }
            }
            for (var created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            warnAboutUnequalPartitions(admin);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Could not create the baton.* topics on " + bootstrapServers + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the baton.* topics", e);
        }
    }

    /**
     * A broker inside a test JVM must never end that JVM: Kafka calls {@code Exit.exit}/{@code Exit.halt} on fatal
     * errors (e.g. a log dir that vanished while the JVM shuts down), which would fail a test run whose tests all
     * passed. Kafka's own tests replace these procedures the same way; the message is logged instead.
     */
    private static void keepTheJvmAlive() {
        Exit.setExitProcedure((status, message) ->
                LOG.warn("The embedded Kafka broker asked to exit the JVM with status {} ({}); ignored", status, message));
        Exit.setHaltProcedure((status, message) ->
                LOG.warn("The embedded Kafka broker asked to halt the JVM with status {} ({}); ignored", status, message));
    }

    /** Closes the broker, but waits at most {@code grace}: a JVM that is exiting must not hang on a slow broker. */
    void closeWithin(Duration grace) {
        Thread closer = new Thread(this::close, "baton-sandbox-kafka-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the broker if this sandbox started it; an external broker is left running. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(broker);
    }

    @Override
    public String toString() {
        return "SandboxKafka[" + source + " " + bootstrapServers + ", " + partitions + " partitions]";
    }

    private static SandboxKafka withTopics(SandboxKafka kafka) {
        try {
            kafka.createTopics();
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    private void warnAboutUnequalPartitions(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> descriptions = describeNewTopics(admin);
        Map<String, Integer> counts = descriptions.values().stream()
                .collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size(), (a, b) -> a, LinkedHashMap::new));
        if (counts.values().stream().distinct().count() > 1) {
            LOG.warn("The baton.* topics on {} have unequal partition counts {};"
                    + " a cluster's events may then land in different partition numbers", bootstrapServers, counts);
        }
    }

    /**
     * Describes the baton.* topics; right after they were created the broker's metadata may not know them yet
     * (UnknownTopicOrPartitionException), so it retries for up to {@link #ADMIN_TIMEOUT}.
     */
    private static Map<String, TopicDescription> describeNewTopics(Admin admin)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(Topics.ALL).allTopicNames().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Broker settings a single node needs (internal topics with one replica) plus quick group joins. */
    private static Map<String, String> singleNodeSettings(int partitions) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("num.partitions", Integer.toString(partitions));
        settings.put("default.replication.factor", "1");
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        return settings;
    }

    private static String childServerProperties(Path dataDir, int brokerPort, int controllerPort, int partitions) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        settings.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("log.dirs", dataDir.toAbsolutePath().toString());
        settings.putAll(singleNodeSettings(partitions));
        StringBuilder text = new StringBuilder("# written by dev.baton.sandbox.SandboxKafka\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        return text.toString();
    }

    private static Process javaProcess(Path dir, Path log, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private static void awaitBroker(String bootstrap, Process process, Path log) throws InterruptedException {
        Instant deadline = Instant.now().plus(CHILD_START_TIMEOUT);
        Map<String, Object> config = new LinkedHashMap<>(adminConfig(bootstrap));
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka child process exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not listening yet
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Kafka child process did not answer on " + bootstrap + " within "
                            + CHILD_START_TIMEOUT.toSeconds() + " s; see " + log);
                }
                Thread.sleep(200); // polling a process we started, not a test wait
            }
        }
    }

    private static void stopProcess(Process process) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM: kafka.Kafka shuts down cleanly
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook stops the process itself
        }
    }

    private static Map<String, Object> adminConfig(String bootstrap) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "baton-sandbox");
    }

    private static int configuredPartitions() {
        String value = SandboxSource.setting(PARTITIONS_SETTING);
        if (value == null) {
            return DEFAULT_PARTITIONS;
        }
        try {
            int partitions = Integer.parseInt(value);
            requirePositive(partitions);
            return partitions;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PARTITIONS_SETTING + " must be a positive whole number, not '" + value + "'");
        }
    }

    private static void requirePositive(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not stop the sandbox Kafka broker cleanly: {}", e.toString());
        }
    }
}
