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
import dev.baton.contracts.StepOutput;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.Topics;
import dev.baton.ssh.SshConfig;
import dev.baton.ssh.SshSettings;
import dev.baton.executor.ssh.SshjRemoteShell;
import dev.baton.fixtures.NodeCommands;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.quarkus.FleetSandboxResource;
import dev.baton.sandbox.quarkus.KafkaSandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private static final String MATRIX = "matrix-prod";
    /** Every matrix-prod command carries this epoch (or, to be fenced off, a lower one). */
    private static final long MATRIX_EPOCH = 1000;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    FinishedCommands finished;

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

        StepResult first = awaitFinal(command.commandId());
        assertThat(resultsOf(command.commandId()).get(0)).isInstanceOf(StepStarted.class);
        assertThat(resultsOf(command.commandId())).filteredOn(StepOutput.class::isInstance)
                .as("the output streamed while it ran").isNotEmpty()
                .allSatisfy(chunk -> assertThat(((StepOutput) chunk).output()).hasSizeLessThanOrEqualTo(2048 + 200));
        assertThat(first).isInstanceOfSatisfying(StepSucceeded.class, ok -> {
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

        await().atMost(PATIENCE).untilAsserted(() -> {
            poll();
            assertThat(finalsOf(command.commandId())).hasSize(2);
        });
        assertThat(finalsOf(command.commandId()).get(1)).isEqualTo(first);
        assertThat(runsOf(dx1, "dis_services status")).isEqualTo(runs);
    }

    @Test
    void aNodeWithAChangedHostKeyIsNotActedOn() {
        SimulatedNode dx2 = fleet().node(CLUSTER, "dx2");
        sendAndAwaitFinal(command("dx2", "warm-up", NodeCommand.Kind.RUN, "hostname")); // a pooled connection
        int logged = dx2.commandLog().size();
        dx2.changeHostKey();
        try {
            NodeCommand command = disruptive(command("dx2", "stop-services", NodeCommand.Kind.RUN, "dis_services stop"));

            send(command);

            assertThat(resultsAfterFinal(command.commandId()).get(0)).isInstanceOf(StepStarted.class);
            assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepFailed.class, failed -> {
                assertThat(failed.errorCode()).isEqualTo("HOST_KEY_MISMATCH");
                assertThat(failed.message()).contains("host key", "known_hosts");
            });
            assertThat(dx2.commandLog()).hasSize(logged);
            assertThat(dx2.executed()).doesNotContain("dis_services stop");
        } finally {
            dx2.restoreHostKey();
        }
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
        assertThat(awaitFinal(next.commandId())).isInstanceOf(StepSucceeded.class);
    }

    @Test
    void aRebootWaitsUntilTheNodeIsBackWithANewBootId() {
        SimulatedNode dx3 = fleet().node(CLUSTER, "dx3");
        String bootIdBefore = dx3.bootId();
        NodeCommand command = command("dx3", "reboot", NodeCommand.Kind.REBOOT, "reboot");

        send(command);

        assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepSucceeded.class,
                ok -> assertThat(ok.output()).contains("boot id " + bootIdBefore + " -> " + dx3.bootId()));
        assertThat(dx3.bootId()).isNotEqualTo(bootIdBefore);
        assertThat(dx3.up()).isTrue();
        assertThat(dx3.executed()).containsSubsequence(StepRunner.BOOT_ID_COMMAND, "reboot", StepRunner.BOOT_ID_COMMAND);
        assertThat(dx3.commandLog()).as("a reboot is claimed in the node's ledger, and its outcome recorded")
                .anyMatch(l -> l.contains("mkdir .baton/ledger/" + command.commandId() + ".claim"))
                .anyMatch(l -> l.contains(command.commandId() + ".claim/rebooting"))
                .anyMatch(l -> l.contains(command.commandId() + ".tmp.$$ && mv"));
    }

    @Test
    void aFailingCommandReportsItsExitStatus() {
        NodeCommand command = command("dx1", "typo", NodeCommand.Kind.RUN, "no-such-tool --now");

        send(command);

        assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepFailed.class, failed -> {
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

            assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepFailed.class,
                    failed -> assertThat(failed.errorCode()).isEqualTo("CONNECTION_LOST"));
            // the next command gets a new connection and runs
            assertThat(sendAndAwaitFinal(command("dx1", "after", NodeCommand.Kind.RUN, "echo after-the-drop")))
                    .isInstanceOf(StepSucceeded.class);
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

            assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepFailed.class, failed -> {
                assertThat(failed.errorCode()).isEqualTo("TIMEOUT");
                assertThat(failed.message()).contains("PT1S");
            });
        } finally {
            dx1.faults().slowCommand("echo slowly", Duration.ZERO);
        }
    }

    @Test
    void aDisruptiveCommandDeliveredTwiceToASecondExecutorAndAfterARestartRunsOnce() throws Exception {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        dx1.faults().slowCommand("dis_services restart", Duration.ofSeconds(3));
        List<StepResult> secondReports = new CopyOnWriteArrayList<>();
        SecondExecutor second = new SecondExecutor(secondReports);
        try {
            NodeCommand command = disruptive(command("dx1", "restart-services", NodeCommand.Kind.RUN,
                    "dis_services restart"));
            long runsBefore = runsOf(dx1, "dis_services restart");
            EventEnvelope envelope = send(command);
            await().atMost(PATIENCE).until(() -> dx1.commandLog().stream().anyMatch(c -> c.contains("dis_services restart")));

            // a second executor instance gets the same command while the service still runs it
            CommandExecutor.Disposition disposition = second.executor.execute(command, envelope);
            StepResult serviceResult = awaitFinal(command.commandId());
            send(command); // redelivered to the service, which remembers it
            finished.clear(); // ... and once more after "a restart" that forgot it: only the node's ledger knows
            send(command);

            await().atMost(PATIENCE).untilAsserted(() -> {
                poll();
                assertThat(finalsOf(command.commandId())).hasSize(3);
            });
            assertThat(disposition).isEqualTo(CommandExecutor.Disposition.RAN);
            assertThat(serviceResult).isInstanceOf(StepSucceeded.class);
            assertThat(finalsOf(command.commandId())).containsOnly(serviceResult);
            assertThat(secondReports.get(secondReports.size() - 1)).isEqualTo(serviceResult);
            assertThat(runsOf(dx1, "dis_services restart")).as("runs of the disruptive line on the node itself")
                    .isEqualTo(runsBefore + 1);
        } finally {
            dx1.faults().slowCommand("dis_services restart", Duration.ZERO);
            second.close();
        }
    }

    @Test
    void aDisruptiveStepOutlivesTheExecutorThatStartedItAndTheNextOneReportsItsRealOutcomeEvenPastItsStartBy()
            throws Exception {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        dx1.faults().slowCommand("dis_services restart", Duration.ofSeconds(4));
        SecondExecutor first = new SecondExecutor(new CopyOnWriteArrayList<>());
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            Instant startBy = Instant.now().plusMillis(1500);
            NodeCommand command = NodeCommands.from(disruptive(command("dx1", "restart-services", NodeCommand.Kind.RUN,
                    "dis_services restart && echo restarted-under-the-first-executor"))).startBy(startBy).build();
            EventEnvelope envelope = EventEnvelope.of(command, "/test", "it", null);
            long runsBefore = runsOf(dx1, "dis_services restart");
            java.util.concurrent.Future<?> running = thread.submit(() -> first.executor.execute(command, envelope));
            await().atMost(PATIENCE).until(() -> dx1.commandLog().stream().anyMatch(c -> c.contains("dis_services restart")));

            // the first executor dies mid-step: its thread stops, its connections drop, it reports nothing more
            running.cancel(true);
            first.close();
            await().atMost(PATIENCE).until(() -> Instant.now().isAfter(startBy));
            // the redelivery reaches the service, another executor instance, past its startBy: it must not start it,
            // but it did start, so it is followed to its end
            send(command);

            assertThat(awaitFinal(command.commandId())).isInstanceOfSatisfying(StepSucceeded.class, ok -> {
                assertThat(ok.exitCode()).isZero();
                assertThat(ok.output()).contains("restarted-under-the-first-executor");
            });
            assertThat(runsOf(dx1, "dis_services restart")).as("runs of the disruptive line on the node itself")
                    .isEqualTo(runsBefore + 1);
        } finally {
            dx1.faults().slowCommand("dis_services restart", Duration.ZERO);
            thread.shutdownNow();
            first.close();
        }
    }

    @Test
    void aCommandWithAnOlderEpochThanOneSeenForItsClusterIsDroppedUnrun() {
        SimulatedNode srv1 = fleet().node(MATRIX, "srv1");
        NodeCommand current = matrixCommand("srv1", "echo epoch-current", MATRIX_EPOCH);
        NodeCommand stale = matrixCommand("srv1", "echo epoch-stale", MATRIX_EPOCH - 1);
        NodeCommand later = matrixCommand("srv1", "echo epoch-later", MATRIX_EPOCH);

        send(current);
        send(stale);
        send(later);

        assertThat(awaitFinal(later.commandId())).isInstanceOf(StepSucceeded.class);
        assertThat(awaitFinal(current.commandId())).isInstanceOf(StepSucceeded.class);
        assertThat(resultsOf(stale.commandId())).isEmpty(); // one cluster's commands run in order: it was handled
        assertThat(srv1.commandLog()).contains("echo epoch-current", "echo epoch-later").doesNotContain("echo epoch-stale");
    }

    @Test
    void aCommandPastItsStartByIsRefusedUnrunAndOneStillInTimeRuns() {
        SimulatedNode srv2 = fleet().node(MATRIX, "srv2");
        NodeCommand late = NodeCommands.from(disruptive(matrixCommand("srv2", "echo started-too-late", MATRIX_EPOCH)))
                .startBy(Instant.now().minusSeconds(1)).build();
        NodeCommand inTime = NodeCommands.from(matrixCommand("srv2", "echo started-in-time", MATRIX_EPOCH))
                .startBy(Instant.now().plusSeconds(60)).build();

        send(late);
        send(inTime);

        assertThat(awaitFinal(inTime.commandId())).isInstanceOf(StepSucceeded.class);
        assertThat(awaitFinal(late.commandId())).isInstanceOfSatisfying(StepFailed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("COMMAND_EXPIRED");
            assertThat(failed.message()).contains("had to start by " + late.startBy()).contains("nothing was run");
        });
        assertThat(resultsOf(late.commandId())).noneMatch(StepStarted.class::isInstance);
        assertThat(srv2.commandLog()).contains("echo started-in-time").doesNotContain("echo started-too-late");
    }

    @Test
    void aCommandForAnotherExecutorPoolIsLeftToThatPool() {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        NodeCommand c = command("dx1", "elsewhere", NodeCommand.Kind.RUN, "echo for-site-b");
        NodeCommand otherPool = NodeCommands.from(c).executorPool("site-b").build();
        NodeCommand mine = command("dx1", "here", NodeCommand.Kind.RUN, "echo for-no-pool");

        send(otherPool);
        send(mine);

        assertThat(awaitFinal(mine.commandId())).isInstanceOf(StepSucceeded.class);
        assertThat(resultsOf(otherPool.commandId())).isEmpty();
        assertThat(dx1.commandLog()).doesNotContain("echo for-site-b");
    }

    @Test
    void clustersRunInParallelWhileOneClustersCommandIsStillRunning() {
        SimulatedNode srv2 = fleet().node(MATRIX, "srv2");
        srv2.faults().slowCommand("echo slow-matrix", Duration.ofSeconds(5));
        try {
            NodeCommand slow = matrixCommand("srv2", "echo slow-matrix", MATRIX_EPOCH);
            NodeCommand quick = command("dx1", "quick", NodeCommand.Kind.RUN, "echo quick-dolphin");

            send(slow);
            await().atMost(PATIENCE).until(() -> srv2.commandLog().contains("echo slow-matrix"));
            send(quick);

            assertThat(awaitFinal(quick.commandId())).isInstanceOf(StepSucceeded.class);
            assertThat(finalsOf(slow.commandId())).as("the other cluster's command is still running").isEmpty();
            assertThat(awaitFinal(slow.commandId())).isInstanceOf(StepSucceeded.class);
        } finally {
            srv2.faults().slowCommand("echo slow-matrix", Duration.ZERO);
        }
    }

    @Test
    void commandsToOneNodeShareOneConnection() {
        SimulatedNode dx1 = fleet().node(CLUSTER, "dx1");
        sendAndAwaitFinal(command("dx1", "first", NodeCommand.Kind.RUN, "echo first"));
        int before = dx1.connectionsAccepted();

        for (int i = 0; i < 3; i++) {
            assertThat(sendAndAwaitFinal(command("dx1", "again", NodeCommand.Kind.RUN, "echo again-" + i)))
                    .isInstanceOf(StepSucceeded.class);
        }

        assertThat(dx1.connectionsAccepted()).isEqualTo(before);
    }

    @Test
    void anArtifactBuiltOnOneNodeIsPushedOverSftpAndInstallsOnAnother() {
        SimulatedNode dx3 = fleet().node(CLUSTER, "dx3");
        NodeCommand.Artifact rpms = new NodeCommand.Artifact("x86_64/rhel8/5.21.0", "node_RPMS");
        NodeCommand build = withArtifact(command("dx1", "build-rpm", NodeCommand.Kind.BUILD_ARTIFACT,
                "sh Dolphin_eXpressWare-5.21.0.sh --build-rpm"), rpms);
        NodeCommand push = sameRollout(withArtifact(command("dx3", "push-rpm", NodeCommand.Kind.PUSH_ARTIFACT, null),
                rpms), build);
        NodeCommand install = disruptive(command("dx3", "install", NodeCommand.Kind.RUN,
                "sh Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms ."));
        NodeCommand otherRolloutsPush = withArtifact(command("dx2", "push-rpm", NodeCommand.Kind.PUSH_ARTIFACT, null),
                rpms);

        send(build);
        assertThat(awaitFinal(build.commandId())).isInstanceOfSatisfying(StepSucceeded.class, ok -> assertThat(ok.output())
                .contains("artifact x86_64/rhel8/5.21.0: fetched 1 file(s)", "Dolphin-eXpressWare-node-5.21.0"));
        send(push);
        assertThat(awaitFinal(push.commandId())).isInstanceOfSatisfying(StepSucceeded.class, ok -> assertThat(ok.output())
                .contains("pushed 1 file(s), to /root/node_RPMS on dolphin-lab/dx3 (build " + build.commandId()
                        + " of rollout " + build.rolloutId() + ")"));
        send(otherRolloutsPush);
        assertThat(awaitFinal(otherRolloutsPush.commandId())).as("another rollout never pushes this rollout's build")
                .isInstanceOfSatisfying(StepFailed.class, failed -> assertThat(failed.errorCode())
                        .isEqualTo("ARTIFACT_MISSING"));
        send(install);

        assertThat(awaitFinal(install.commandId())).isInstanceOf(StepSucceeded.class);
        assertThat(dx3.installedVersion()).isEqualTo("5.21.0");
        assertThat(dx3.commandLog()).as("the push ran no build on dx3").noneMatch(l -> l.contains("--build-rpm"));
    }

    @Test
    void aPushOfAnArtifactThatWasNeverBuiltFailsWithoutTouchingTheNode() {
        NodeCommand push = withArtifact(command("dx2", "push-rpm", NodeCommand.Kind.PUSH_ARTIFACT, null),
                new NodeCommand.Artifact("aarch64/never/9.9.9", "node_RPMS"));

        send(push);

        assertThat(awaitFinal(push.commandId())).isInstanceOfSatisfying(StepFailed.class, failed -> {
            assertThat(failed.errorCode()).isEqualTo("ARTIFACT_MISSING");
            assertThat(failed.message()).contains("not in this executor's cache");
        });
    }

    /** A second executor instance in this JVM: its own SSH connections, redelivery memory and epochs; no Kafka. */
    private static final class SecondExecutor implements AutoCloseable {
        final SshjRemoteShell shell;
        final CommandExecutor executor;

        SecondExecutor(List<StepResult> reports) throws java.io.IOException {
            shell = new SshjRemoteShell(sshConfig());
            StepRunner runner = new StepRunner(shell, new ArtifactCache(Files.createTempDirectory("second-executor")),
                    Clock.systemUTC(), Duration.ofMillis(200));
            executor = new CommandExecutor(runner, new FinishedCommands(), new EpochFence(),
                    (result, actor, causation) -> reports.add(result), null, 2048, Duration.ofSeconds(1));
        }

        @Override
        public void close() {
            shell.closeAll();
        }
    }

    static SshConfig sshConfig() {
        return SshSettings.of(fleet().knownHostsFile(), fleet().clientPrivateKey());
    }

    private static NodeCommand matrixCommand(String nodeName, String line, long epoch) {
        ClusterRegistered cluster = fleet().registration(MATRIX);
        return NodeCommands.run(MATRIX, nodeName, "echo", line).commandId(UUID.randomUUID().toString())
                .rolloutId("rollout-" + UUID.randomUUID()).target(cluster.node(nodeName).sshTarget())
                .timeout(Duration.ofSeconds(30)).epoch(epoch).build();
    }

    private static NodeCommand disruptive(NodeCommand c) {
        return NodeCommands.from(c).disruptive().build();
    }

    private static NodeCommand withArtifact(NodeCommand c, NodeCommand.Artifact artifact) {
        return NodeCommands.from(c).timeout(Duration.ofSeconds(60)).artifact(artifact).build();
    }

    private static NodeCommand sameRollout(NodeCommand c, NodeCommand other) {
        return NodeCommands.from(c).rolloutId(other.rolloutId()).build();
    }

    private static NodeCommand withTimeout(NodeCommand c, Duration timeout) {
        return NodeCommands.from(c).timeout(timeout).build();
    }

    private static SimulatedFleet fleet() {
        return FleetSandboxResource.fleet();
    }

    private static NodeCommand command(String nodeName, String step, NodeCommand.Kind kind, String line) {
        ClusterRegistered cluster = fleet().registrations().stream()
                .filter(c -> c.clusterId().equals(CLUSTER)).findFirst().orElseThrow();
        return NodeCommands.run(CLUSTER, nodeName, step, line).kind(kind).commandId(UUID.randomUUID().toString())
                .rolloutId("rollout-" + UUID.randomUUID()).target(cluster.node(nodeName).sshTarget())
                .timeout(Duration.ofSeconds(30)).build();
    }

    private EventEnvelope send(NodeCommand command) {
        EventEnvelope envelope = EventEnvelope.of(command, "/test", "it", null);
        producer.send(new ProducerRecord<>(Topics.COMMANDS, null, command.clusterId(), EventCodec.toJson(command),
                EventCodec.toHeaders(envelope)));
        producer.flush();
        return envelope;
    }

    private static long runsOf(SimulatedNode node, String line) {
        return node.executed().stream().filter(line::equals).count();
    }

    /** Waits until the command's first StepSucceeded or StepFailed arrived, and returns it. */
    private StepResult awaitFinal(String commandId) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            poll();
            assertThat(finalsOf(commandId)).isNotEmpty();
        });
        return finalsOf(commandId).get(0);
    }

    private StepResult sendAndAwaitFinal(NodeCommand command) {
        send(command);
        return awaitFinal(command.commandId());
    }

    /** Every result of the command, once its first final result arrived. */
    private List<StepResult> resultsAfterFinal(String commandId) {
        awaitFinal(commandId);
        return resultsOf(commandId);
    }

    private List<StepResult> finalsOf(String commandId) {
        return resultsOf(commandId).stream()
                .filter(r -> r instanceof StepSucceeded || r instanceof StepFailed).toList();
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
