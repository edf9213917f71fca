package dev.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins Baton's wire format: every event class round-trips through its golden JSON file unchanged. */
class GoldenFilesTest {
    private static final ObjectMapper MAPPER = BatonJson.mapper();

    static Stream<Class<? extends BatonEvent>> eventTypes() {
        return EventTypes.all().stream();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void goldenFileExists(Class<? extends BatonEvent> type) {
        assertThat(GoldenFiles.exists(GoldenFiles.goldenPath(type)))
                .as("golden file %s", GoldenFiles.goldenPath(type)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void goldenFileRoundTripsUnchanged(Class<? extends BatonEvent> type) throws Exception {
        JsonNode golden = GoldenFiles.golden(type);

        BatonEvent event = MAPPER.readValue(GoldenFiles.goldenBytes(type), type);
        JsonNode written = MAPPER.readTree(EventCodec.toJson(event));

        assertThat(written).as("%s written back", type.getSimpleName()).isEqualTo(golden);
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void unknownFieldsAreIgnored(Class<? extends BatonEvent> type) throws Exception {
        ObjectNode extended = (ObjectNode) GoldenFiles.golden(type).deepCopy();
        extended.put("fieldFromTheFuture", "v1.7");
        extended.putObject("nestedFromTheFuture").put("deep", 42).putArray("list").add(1);

        BatonEvent event = MAPPER.treeToValue(extended, type);

        assertThat(MAPPER.readTree(EventCodec.toJson(event))).isEqualTo(GoldenFiles.golden(type));
    }

    @Test
    void unknownFieldsInNestedRecordsAreIgnored() throws Exception {
        ObjectNode extended = (ObjectNode) GoldenFiles.golden(ClusterRegistered.class).deepCopy();
        ((ObjectNode) extended.withArray("nodes").get(0)).put("rackUnit", 12);

        ClusterRegistered cluster = MAPPER.treeToValue(extended, ClusterRegistered.class);

        assertThat(cluster.node("srv1").sshTarget()).isEqualTo(new SshTarget("10.10.2.3", 22, "root"));
    }

    @Test
    void deadLetterPayloadIsBase64OfTheOriginalBytes() throws Exception {
        byte[] original = "{\"clusterId\": \"matrix-prod\", \"targetVersion\": 3.5.1".getBytes(StandardCharsets.UTF_8);
        JsonNode golden = GoldenFiles.golden(DeadLetter.class);

        DeadLetter letter = MAPPER.readValue(GoldenFiles.goldenBytes(DeadLetter.class), DeadLetter.class);

        assertThat(letter.payload()).isEqualTo(original);
        assertThat(MAPPER.readTree(EventCodec.toJson(letter)).get("payload").asText())
                .isEqualTo(golden.get("payload").asText())
                .isEqualTo(java.util.Base64.getEncoder().encodeToString(original));
    }

    @Test
    void deadLetterWithBinaryPayloadRoundTrips() throws Exception {
        byte[] binary = {0, 1, 2, (byte) 0xfe, (byte) 0xff, '\n'};
        DeadLetter letter = new DeadLetter(null, Topics.HEALTH, 0, 5L, null, binary, "not JSON", "/baton/audit-service",
                binary.length);

        DeadLetter read = MAPPER.readValue(EventCodec.toJson(letter), DeadLetter.class);

        assertThat(read.payload()).isEqualTo(binary);
        assertThat(read.clusterId()).isNull();
    }

    @Test
    void timesAndDurationsAreTextNotNumbers() throws Exception {
        NodeActive active = MAPPER.readValue(GoldenFiles.goldenBytes(NodeActive.class), NodeActive.class);
        UpgradeRequested request = MAPPER.readValue(GoldenFiles.goldenBytes(UpgradeRequested.class), UpgradeRequested.class);

        assertThat(active.since()).isEqualTo(Instant.parse("2025-06-12T09:41:27Z"));
        assertThat(request.delayBetweenNodes()).isEqualTo(Duration.ofSeconds(30));
        assertThat(MAPPER.readTree(EventCodec.toJson(active)).get("since").isTextual()).isTrue();
    }

    @Test
    void rfc3339TimeWithOffsetIsRead() throws Exception {
        ObjectNode withOffset = (ObjectNode) GoldenFiles.golden(NodeActive.class).deepCopy();
        withOffset.put("since", "2025-06-12T11:41:27+02:00");

        NodeActive active = MAPPER.treeToValue(withOffset, NodeActive.class);

        assertThat(active.since()).isEqualTo(Instant.parse("2025-06-12T09:41:27Z"));
    }

    @Test
    void minimalUpgradeRequestedReadsWithDefaults() throws Exception {
        String minimal = """
                {"requestId": "r-1", "clusterId": "dolphin-lab", "targetVersion": "5.24.0"}""";

        UpgradeRequested request = MAPPER.readValue(minimal, UpgradeRequested.class);

        assertThat(request.maxUnavailable()).isNull();
        assertThat(request.delayBetweenNodes()).isNull();
        assertThat(request.exclude()).isEmpty();
        assertThat(request.force()).isFalse();
        assertThat(request.allowOffline()).isFalse();
        assertThat(request.dryRun()).isFalse();
    }

    @Test
    void enumsTravelLowerCase() throws Exception {
        NodeCommand command = MAPPER.readValue(GoldenFiles.goldenBytes(NodeCommand.class), NodeCommand.class);
        RolloutControl control = MAPPER.readValue(GoldenFiles.goldenBytes(RolloutControl.class), RolloutControl.class);

        assertThat(command.kind()).isEqualTo(NodeCommand.Kind.RUN);
        assertThat(control.action()).isEqualTo(RolloutControl.Action.RELEASE);
        assertThat(MAPPER.writeValueAsString(NodeCommand.Kind.BUILD_ARTIFACT)).isEqualTo("\"build-artifact\"");
    }
}
