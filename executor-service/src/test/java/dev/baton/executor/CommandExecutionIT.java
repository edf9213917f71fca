package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor against a real Kafka broker and the simulated fleet's real SSH servers: commands go in on
 * {@code baton.commands.v1} through a plain producer, results are read from {@code baton.results.v1} and
 * {@code baton.deadletter.v1} with a plain consumer.
 */
@QuarkusTest
@WithTestResource(KafkaSandboxResource.class)
@WithTestResource(FleetSandboxResource.class)
class CommandExecutionIT {
    private static final String CLUSTER = "dolphin-lab";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    @BeforeEach
    void clients() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.RESULTS, Topics.DEADLETTER)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    @AfterEach
    void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }

    @Test
    void aRunCommandIsStartedAndSucceedsWithItsOutputAndIsNotRunTwiceWhenRedelivered() {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        NodeCommand command = command("dx1", "status", NodeCommand.Kind.RUN, "dis_services status");

        EventEnvelope sent = send(command);

        List<StepResult> results = awaitResults(command.commandId(), 2);
        assertThat(results.get(0)).isInstanceOf(StepStarted.class);
        assertThat(results.get(1)).isInstanceOfSatisfying(StepSucceeded.class, ok -> {
            assertThat(ok.exitCode()).isZero();
            assertThat(ok.output()).contains("Running version:", "Node status: active");
            assertThat(ok.rolloutId()).isEqualTo(command.rolloutId());
            assertThat(ok.clusterId()).isEqualTo(CLUSTER);
            assertThat(ok.nodeName()).isEqualTo("dx1");
            assertThat(ok.step()).isEqualTo("status");
        });
        assertThat(envelopesOf(command.commandId())).allSatisfy(envelope -> {
            assertThat(envelope.causationId()).isEqualTo(sent.id());
            assertThat(envelope.actor()).isEqualTo("it");
        });
        long runs = runsOf(dx1, "dis_services status");

        send(command); // redelivery: same commandId

        List<StepResult> again = awaitResults(command.commandId(), 3);
        assertThat(again.get(2)).isEqualTo(results.get(1));
        assertThat(runsOf(dx1, "dis_services status")).isEqualTo(runs);
    }

    @Test
    void aNodeWithAChangedHostKeyIsNotActedOn() {
        SimulatedNode dx2 = fleet().node(CLUSTER, "dx2");
        dx2.changeHostKey();
        NodeCommand command = command("dx2", "stop-services", NodeCommand.Kind.RUN, "dis_services stop");

        send(command);

        List<StepResult> results = awaitResults(command.commandId(), 2);
        assertThat(results.get(0)).isInstanceOf(StepStarted.class);
        assertThat(results.get(1)).isInstanceOfSatisfying(StepFailed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("HOST_KEY_MISMATCH");
            assertThat(failed.message()).contains("host key", "known_hosts");
        });
        assertThat(dx2.commandLog()).isEmpty();
    }

    @Test
    void aMalformedCommandIsDeadLetteredAndTheNextOneStillRuns() {
        String badId = UUID.randomUUID().toString();
        NodeCommand shape = command("dx1", "status", NodeCommand.Kind.RUN, "true");
        Headers headers = EventCodec.toHeaders(new EventEnvelope(badId, shape.eventType(), "/test", CLUSTER + "/dx1",
                null, CLUSTER, null, "dx1", "it", null));
        producer.send(new ProducerRecord<>(Topics.COMMANDS, null, CLUSTER,
                "{ this is not json".getBytes(StandardCharsets.UTF_8), headers));
        NodeCommand next = command("dx1", "hostname", NodeCommand.Kind.RUN, "hostname");

        send(next);

        await().atMost(PATIENCE).untilAsserted(() -> {
            poll();
            assertThat(events(Topics.DEADLETTER).stream().map(d -> (DeadLetter) d)
                    .filter(d -> badId.equals(d.headers().get(EventCodec.H_ID))))
                    .singleElement().satisfies(d -> {
                        assertThat(d.sourceTopic()).isEqualTo(Topics.COMMANDS);
                        assertThat(d.reason()).contains("not a valid NodeCommand");
                        assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("{ this is not json");
                    });
        });
        assertThat(awaitResults(next.commandId(), 2).get(1)).isInstanceOf(StepSucceeded.class);
    }

    @Test
    void aRebootWaitsUntilTheNodeIsBackWithANewBootId() {
        SimulatedNode dx3 = fleet().node(CLUSTER, "dx3");
        String bootIdBefore = dx3.bootId();
        NodeCommand command = command("dx3", "reboot", NodeCommand.Kind.REBOOT, "reboot");

        send(command);

        List<StepResult> results = awaitResults(command.commandId(), 2);
        assertThat(results.get(1)).isInstanceOfSatisfying(StepSucceeded.class,
                ok -> assertThat(ok.output()).contains("boot id " + bootIdBefore + " -> " + dx3.bootId()));
        assertThat(dx3.bootId()).isNotEqualTo(bootIdBefore);
        assertThat(dx3.up()).isTrue();
        assertThat(dx3.commandLog()).containsSubsequence(StepRunner.BOOT_ID_COMMAND, "reboot", StepRunner.BOOT_ID_COMMAND);
    }

    @Test
    void aFailingCommandReportsItsExitStatus() {
        NodeCommand command = command("dx1", "typo", NodeCommand.Kind.RUN, "no-such-tool --now");

        send(command);

        assertThat(awaitResults(command.commandId(), 2).get(1)).isInstanceOfSatisfying(StepFailed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("EXIT_STATUS");
            assertThat(failed.exitCode()).isEqualTo(127);
            assertThat(failed.output()).contains("command not found");
        });
    }

    @Test
    void aConnectionDroppedMidCommandIsReportedAsLost() {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        dx1.faults().dropConnectionOn("echo lose-me");
        try {
            NodeCommand command = command("dx1", "echo", NodeCommand.Kind.RUN, "echo lose-me");

            send(command);

            assertThat(awaitResults(command.commandId(), 2).get(1)).isInstanceOfSatisfying(StepFailed.class,
                    failed -> assertThat(failed.errorCode()).isEqualTo("CONNECTION_LOST"));
        } finally {
            dx1.faults().dropConnectionOn(null);
        }
    }

    @Test
    void aCommandThatOutlivesItsTimeoutTimesOut() {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        dx1.faults().slowCommand("echo slowly", Duration.ofSeconds(20));
        try {
            NodeCommand command = withTimeout(command("dx1", "echo", NodeCommand.Kind.RUN, "echo slowly"),
                    Duration.ofSeconds(1));

            send(command);

            assertThat(awaitResults(command.commandId(), 2).get(1)).isInstanceOfSatisfying(StepFailed.class, failed -> {
                assertThat(failed.errorCode()).isEqualTo("TIMEOUT");
                assertThat(failed.message()).contains("PT1S");
            });
        } finally {
            dx1.faults().slowCommand("echo slowly", Duration.ZERO);
        }
    }

    private static NodeCommand withTimeout(NodeCommand c, Duration timeout) {
        return new NodeCommand(c.commandId(), c.rolloutId(), c.clusterId(), c.nodeName(), c.step(), c.kind(),
                c.command(), c.target(), timeout, c.disruptive(), c.attempt(), c.epoch());
    }

    private static SimulatedFleet fleet() {
        return FleetSandboxResource.fleet();
    }

    private static NodeCommand command(String nodeName, String step, NodeCommand.Kind kind, String line) {
        ClusterRegistered cluster = fleet().registrations().stream()
                .filter(c -> c.clusterId().equals(CLUSTER)).findFirst().orElseThrow();
        return new NodeCommand(UUID.randomUUID().toString(), "rollout-" + UUID.randomUUID(), CLUSTER, nodeName, step,
                kind, line, cluster.node(nodeName).sshTarget(), Duration.ofSeconds(30), false, 1, 1);
    }

    private EventEnvelope send(NodeCommand command) {
        EventEnvelope envelope = EventEnvelope.of(command, "/test", "it", null);
        producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.clusterId(), EventCodec.toJson(command),
                EventCodec.toHeaders(envelope)));
        producer.flush();
        return envelope;
    }

    private static long runsOf(SimulatedNode node, String line) {
        return node.commandLog().stream().filter(line::equals).count();
    }

    /** Waits until {@code count} results of the command arrived; returns them in log order. */
    private List<StepResult> awaitResults(String commandId, int count) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            poll();
            assertThat(resultsOf(commandId)).hasSizeGreaterThanOrEqualTo(count);
        });
        return resultsOf(commandId);
    }

    private List<StepResult> resultsOf(String commandId) {
        return events(Topics.RESULTS).stream().map(e -> (StepResult) e)
                .filter(r -> commandId.equals(r.commandId())).collect(Collectors.toList());
    }

    private List<EventEnvelope> envelopesOf(String commandId) {
        return seen.stream().filter(r -> r.topic().equals(Topics.RESULTS)).map(CommandExecutionIT::decode)
                .filter(d -> commandId.equals(((StepResult) d.event()).commandId()))
                .map(EventCodec.Decoded::envelope).toList();
    }

    private List<BatonEvent> events(String topic) {
        return seen.stream().filter(r -> r.topic().equals(topic)).map(r -> decode(r).event()).toList();
    }

    private void poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
    }

    private static EventCodec.Decoded decode(ConsumerRecord<String, byte[]> record) {
        try {
            return EventCodec.decode(record.headers(), record.value());
        } catch (MalformedEventException e) {
            throw new AssertionError("the executor published a malformed event on " + record.topic(), e);
        }
    }
}
