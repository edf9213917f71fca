package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.BatonJson;
import dev.baton.contracts.DeadLetter;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.Topics;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import dev.baton.sandbox.world.ServiceProcess;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invariant 9, tried the way a bad producer in a fleet-management system would: against the four packaged services on
 * the sandbox, a seeded barrage of malformed records ({@link MalformedRecords}: {@value #DEFAULT_RECORDS} by default,
 * {@code BATON_FUZZ_RECORDS} for a longer soak, {@code BATON_FUZZ_SEED} to replay one) on every topic a service
 * consumes, with and without CloudEvents headers, while a Matrix and a Dolphin cluster are rolled. Asserted from what
 * a user sees: both rollouts complete; every malformed record is on {@code baton.deadletter.v1} exactly once per
 * service that reads its topic, with a reason, and nothing else is; no log says {@code fail-stop}; every service stays
 * ready; the planner still answers; the audit store holds exactly the messages published; no fuzzed command ran.
 */
class MalformedInputSystemIT {
    static final int DEFAULT_RECORDS = 10_000;

    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.of("fuzz-it", "/fleets/fuzz-it.yaml");
    private static LocalBaton baton;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
    }

    @Test
    void malformedRecordsOnEveryTopicAreDeadLetteredOncePerRefusingServiceWhileRealRolloutsComplete() throws Exception {
        long seed = Long.parseLong(System.getenv().getOrDefault("BATON_FUZZ_SEED", String.valueOf(System.nanoTime())));
        int count = Integer.parseInt(System.getenv().getOrDefault("BATON_FUZZ_RECORDS", String.valueOf(DEFAULT_RECORDS)));
        Files.deleteIfExists(summaryFile());
        summary("seed %d (replay with BATON_FUZZ_SEED=%d), %d malformed records", seed, seed, count);
        MalformedRecords generator = new MalformedRecords(seed, List.of("fuzz-matrix", "fuzz-dolphin"));
        EventLog log = baton.eventLog();
        AtomicBoolean barrage = new AtomicBoolean(true);
        Map<String, String> notReady = new ConcurrentHashMap<>();
        Thread readiness = watchReadiness(barrage, notReady);

        Map<String, MalformedRecords.Malformed> published = new HashMap<>(); // "topic/partition/offset" -> record
        Map<String, Integer> byTopic = new TreeMap<>();
        Map<String, Integer> byKind = new TreeMap<>();
        int skippedValid = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<Map.Entry<MalformedRecords.Malformed, Future<RecordMetadata>>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (i == count / 4) {
                    // valid traffic in the middle of the barrage: fleet management asks for both upgrades
                    baton.fleetManagement().requestUpgrade("fuzz-matrix", "3.5.1");
                    baton.fleetManagement().requestUpgrade("fuzz-dolphin", "5.21.0");
                }
                MalformedRecords.Malformed record = generator.next();
                if (accepted(record)) {
                    skippedValid++; // the generator made a valid event by chance: not a malformed record, not sent
                    continue;
                }
                ProducerRecord<byte[], byte[]> kafkaRecord = new ProducerRecord<>(record.topic(), null, record.key(),
                        record.value(), record.headers());
                sends.add(Map.entry(record, producer.send(kafkaRecord)));
                byTopic.merge(record.topic(), 1, Integer::sum);
                byKind.merge(record.kind(), 1, Integer::sum);
                if (sends.size() % 500 == 0) {
                    producer.flush();
                }
            }
            producer.flush();
            for (var send : sends) {
                RecordMetadata at = send.getValue().get();
                published.put(coordinates(at.topic(), at.partition(), at.offset()), send.getKey());
            }
        }
        long tombstones = published.values().stream().filter(MalformedRecords.Malformed::tombstone).count();
        long expectedLetters = published.values().stream().mapToLong(r -> r.refusers().size()).sum();
        summary("published %d malformed records (%d tombstones, %d generated valid by chance and not sent), "
                + "expecting %d dead letters", published.size(), tombstones, skippedValid, expectedLetters);
        summary("by topic: %s", byTopic);
        summary("by kind: %s", byKind);

        // both real rollouts complete despite the barrage
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> log.rolloutFinished("fuzz-matrix") && log.rolloutFinished("fuzz-dolphin"));
        assertThat(log.events(RolloutCompleted.class)).extracting(RolloutCompleted::clusterId)
                .contains("fuzz-matrix", "fuzz-dolphin");
        for (SimulatedNode node : baton.fleet().nodes("fuzz-matrix")) {
            assertThat(node.runningVersion()).as(node.name()).isEqualTo("3.5.1");
        }
        for (SimulatedNode node : baton.fleet().nodes("fuzz-dolphin")) {
            assertThat(node.runningVersion()).as(node.name()).isEqualTo("5.21.0");
        }

        // one dead letter per malformed record and refusing service, each with a reason; no other dead letter
        awaitDeadLettersSettled(log, expectedLetters);
        Map<String, List<DeadLetter>> letters = log.events(DeadLetter.class).stream().collect(Collectors.groupingBy(
                d -> coordinates(d.sourceTopic(), d.sourcePartition(), d.sourceOffset())));
        List<String> wrong = new ArrayList<>();
        for (var entry : published.entrySet()) {
            List<String> services = letters.getOrDefault(entry.getKey(), List.of()).stream().map(DeadLetter::service)
                    .sorted().toList();
            List<String> expected = entry.getValue().refusers().stream().sorted().toList();
            if (!services.equals(expected)) {
                wrong.add(entry.getKey() + " (" + entry.getValue().kind() + "): dead-lettered by " + services
                        + ", expected " + expected);
            }
        }
        assertThat(wrong).as("malformed records not dead-lettered exactly once per refusing service").isEmpty();
        assertThat(letters.keySet()).as("dead letters of records that were not malformed").isSubsetOf(published.keySet());
        assertThat(log.events(DeadLetter.class)).allSatisfy(d -> assertThat(d.reason()).isNotBlank());

        // no channel stopped, every service stayed ready and still answers
        barrage.set(false);
        readiness.join();
        assertThat(notReady).as("readiness that was not UP during the barrage").isEmpty();
        for (ServiceProcess service : baton.services().all()) {
            String text = Files.readString(service.log());
            assertThat(text).as("%s's log", service.module()).doesNotContain("fail-stop").doesNotContain("SRMSG18203");
            assertThat(service.isAlive()).as(service.module()).isTrue();
        }
        HttpResponse<String> rollouts = get(baton.services().service("planner-service").baseUrl() + "/api/v1/rollouts");
        assertThat(rollouts.statusCode()).as(rollouts.body()).isEqualTo(200);
        assertThat(rollouts.body()).contains("fuzz-matrix", "fuzz-dolphin");

        // the audit store holds exactly the messages published, malformed ones included
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(baton.auditedCount()).isEqualTo(log.publishedCount()));

        // nothing fuzzed ever ran on a node
        for (String cluster : List.of("fuzz-matrix", "fuzz-dolphin")) {
            for (SimulatedNode node : baton.fleet().nodes(cluster)) {
                assertThat(node.commandLog()).as("commands run on %s", node.name())
                        .noneMatch(c -> c.contains(MalformedRecords.MARK));
            }
        }
        summary("PASSED seed %d: %d malformed records, %d dead letters as expected, %d tombstones counted, %d messages "
                + "audited, every service ready throughout, no fail-stop; both rollouts completed", seed, published.size(),
                expectedLetters, tombstones, baton.auditedCount());
    }

    /** Prints a line of the run's summary and appends it to {@code target/fuzz-it-summary.txt} (CI prints that file). */
    private static void summary(String format, Object... args) throws java.io.IOException {
        String line = "[fuzz-it] " + String.format(format, args);
        System.out.println(line);
        Files.writeString(summaryFile(), line + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * Waits until the dead letters stop coming: their count reached the expected one and stayed there 3 s, or has not
     * changed for 20 s (then the per-record comparison says which are missing), at most 3 minutes.
     */
    private static void awaitDeadLettersSettled(EventLog log, long expected) {
        long[] last = {-1, System.nanoTime()}; // the count last seen, and when it changed
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            int now = log.events(DeadLetter.class).size();
            if (now != last[0]) {
                last[0] = now;
                last[1] = System.nanoTime();
            }
            Duration quiet = Duration.ofNanos(System.nanoTime() - last[1]);
            return (now >= expected && quiet.toSeconds() >= 3) || quiet.toSeconds() >= 20;
        });
    }

    private static java.nio.file.Path summaryFile() {
        return java.nio.file.Path.of(System.getProperty("baton.repo.root", "..")).resolve("system-tests/target/fuzz-it-summary.txt");
    }

    /** Whether a Baton reader would accept the record as it is (then it is no malformed record). */
    private static boolean accepted(MalformedRecords.Malformed record) {
        if (record.tombstone()) {
            return false;
        }
        if (record.topic().equals(Topics.PLANNER_STATE)) {
            return false; // the generator never writes a planner state (a snapshot object), see MalformedRecords
        }
        try {
            var headers = new org.apache.kafka.common.header.internals.RecordHeaders(record.headers());
            var decoded = EventCodec.decode(headers, record.value());
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            return decoded.event().topic().equals(record.topic()) && decoded.event().clusterId().equals(key);
        } catch (MalformedEventException e) {
            return false;
        }
    }

    /** Polls every service's readiness while the barrage lasts; any answer but UP is kept. */
    private static Thread watchReadiness(AtomicBoolean barrage, Map<String, String> notReady) {
        Thread thread = new Thread(() -> {
            while (barrage.get()) {
                for (ServiceProcess service : baton.services().all()) {
                    try {
                        HttpResponse<String> ready = get(service.baseUrl() + "/q/health/ready");
                        JsonNode status = BatonJson.mapper().readTree(ready.body()).path("status");
                        if (ready.statusCode() != 200 || !"UP".equals(status.asText())) {
                            notReady.putIfAbsent(service.module(), ready.statusCode() + " " + ready.body());
                        }
                    } catch (Exception e) {
                        notReady.putIfAbsent(service.module(), e.toString());
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fuzz-readiness");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, baton.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static String coordinates(String topic, int partition, long offset) {
        return topic + "/" + partition + "/" + offset;
    }
}
