package dev.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CloudEvents binary mode: {@code ce_*} headers plus JSON value, and the type/topic registry. */
class EventCodecTest {
    private static final NodeActive SRV3_ACTIVE = new NodeActive("matrix-prod", "srv3", "3.5.1",
            "3f1b6c0e-8a52-4d0b-b6a4-2c9e7d51f0aa", Instant.parse("2025-06-12T09:41:27Z"), "Matrix Server 3.5.1 is running");

    static Stream<Class<? extends BatonEvent>> eventTypes() {
        return EventTypes.all().stream();
    }

    private static Headers headersFor(BatonEvent event) {
        return EventCodec.toHeaders(EventEnvelope.of(event, "/baton/health-service", "alice@ops", "cause-1"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void headersRoundTripToTheSameEnvelope() throws Exception {
        EventEnvelope envelope = EventEnvelope.of(SRV3_ACTIVE, "/baton/health-service", "alice@ops", "cause-1");

        EventEnvelope read = EventCodec.envelope(EventCodec.toHeaders(envelope));

        assertThat(read).isEqualTo(envelope);
        assertThat(read.type()).isEqualTo("dev.baton.NodeActive.v1");
        assertThat(read.subject()).isEqualTo("matrix-prod/srv3");
        assertThat(read.clusterId()).isEqualTo("matrix-prod");
        assertThat(read.nodeId()).isEqualTo("srv3");
        assertThat(read.rolloutId()).isNull();
    }

    @Test
    void headersAreTheCloudEventsBinaryModeAttributes() {
        NodeUpgraded upgraded = new NodeUpgraded("ro-matrix-prod-0042", "matrix-prod", "srv3", "3.5.1");
        EventEnvelope envelope = EventEnvelope.of(upgraded, "/baton/planner-service", "alice@ops", "cause-1");

        Map<String, String> headers = EventCodec.headersAsText(EventCodec.toHeaders(envelope));

        assertThat(headers).containsOnly(
                entry("ce_specversion", "1.0"),
                entry("ce_id", envelope.id()),
                entry("ce_type", "dev.baton.NodeUpgraded.v1"),
                entry("ce_source", "/baton/planner-service"),
                entry("ce_subject", "matrix-prod/srv3"),
                entry("ce_time", envelope.time().toString()),
                entry("ce_clusterid", "matrix-prod"),
                entry("ce_rolloutid", "ro-matrix-prod-0042"),
                entry("ce_nodeid", "srv3"),
                entry("ce_actor", "alice@ops"),
                entry("ce_causationid", "cause-1"),
                entry("content-type", "application/json"));
    }

    @Test
    void absentAttributesAreLeftOutOfTheHeaders() {
        ClusterRegistered cluster = new ClusterRegistered("matrix-prod", "matrix-server", "matrix-server", null, null);

        Map<String, String> headers = EventCodec.headersAsText(
                EventCodec.toHeaders(EventEnvelope.of(cluster, "/baton/cli", null, null)));

        assertThat(headers).containsEntry("ce_subject", "matrix-prod")
                .doesNotContainKeys("ce_rolloutid", "ce_nodeid", "ce_actor", "ce_causationid");
    }

    @Test
    void decodeGivesTheRecord() throws Exception {
        EventCodec.Decoded decoded = EventCodec.decode(headersFor(SRV3_ACTIVE), EventCodec.toJson(SRV3_ACTIVE));

        assertThat(decoded.event()).isEqualTo(SRV3_ACTIVE);
        assertThat(decoded.envelope().actor()).isEqualTo("alice@ops");
        assertThat(decoded.envelope().causationId()).isEqualTo("cause-1");
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void everyGoldenEventDecodesAsItsClass(Class<? extends BatonEvent> type) throws Exception {
        BatonEvent golden = BatonJson.mapper().readValue(GoldenFiles.goldenBytes(type), type);

        EventCodec.Decoded decoded = EventCodec.decode(headersFor(golden), GoldenFiles.goldenBytes(type));

        assertThat(decoded.event()).isInstanceOf(type);
        assertThat(decoded.event().topic()).isEqualTo(EventTypes.topicOf(type));
        assertThat(BatonJson.mapper().readTree(EventCodec.toJson(decoded.event()))).isEqualTo(GoldenFiles.golden(type));
    }

    @Test
    void missingTypeHeaderIsMalformed() {
        Headers headers = headersFor(SRV3_ACTIVE);
        headers.remove(EventCodec.H_TYPE);

        assertThatThrownBy(() -> EventCodec.decode(headers, EventCodec.toJson(SRV3_ACTIVE)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("missing CloudEvents header ce_type");
    }

    @Test
    void missingIdHeaderIsMalformed() {
        Headers headers = headersFor(SRV3_ACTIVE);
        headers.remove(EventCodec.H_ID);

        assertThatThrownBy(() -> EventCodec.decode(headers, EventCodec.toJson(SRV3_ACTIVE)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("missing CloudEvents header ce_id");
    }

    @Test
    void noHeadersAtAllIsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode((Headers) null, EventCodec.toJson(SRV3_ACTIVE)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("ce_type");
    }

    @Test
    void unknownTypeIsMalformed() {
        Headers headers = headersFor(SRV3_ACTIVE);
        headers.remove(EventCodec.H_TYPE);
        headers.add(EventCodec.H_TYPE, utf8("dev.baton.NodeExploded.v1"));

        assertThatThrownBy(() -> EventCodec.decode(headers, EventCodec.toJson(SRV3_ACTIVE)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("unknown event type 'dev.baton.NodeExploded.v1'");
    }

    @Test
    void futureMajorVersionIsAnUnknownType() {
        Headers headers = headersFor(SRV3_ACTIVE);
        headers.remove(EventCodec.H_TYPE);
        headers.add(EventCodec.H_TYPE, utf8("dev.baton.NodeActive.v2"));

        assertThatThrownBy(() -> EventCodec.decode(headers, EventCodec.toJson(SRV3_ACTIVE)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("dev.baton.NodeActive.v2");
    }

    @Test
    void emptyBodyIsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), new byte[0]))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("empty message body for NodeActive");
        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), null))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("empty message body for NodeActive");
    }

    @Test
    void nonJsonBodyIsMalformed() {
        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), utf8("srv3 is active")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("body is not a valid NodeActive: ")
                .hasMessageNotContaining("\tat ");
    }

    @Test
    void jsonOfTheWrongShapeIsMalformed() {
        byte[] body = utf8("{\"clusterId\": \"matrix-prod\", \"since\": \"last tuesday\"}");

        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), body))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("body is not a valid NodeActive (schema NodeActive.v1): ")
                .hasMessageContaining("$.since")
                .hasMessageContaining("required property 'nodeName'");
    }

    @Test
    void jsonWithoutClusterIdIsMalformed() {
        byte[] body = utf8("{\"nodeName\": \"srv3\", \"runningVersion\": \"3.5.1\"}");

        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), body))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("required property 'clusterId' not found");
    }

    @Test
    void blankClusterIdIsMalformed() {
        byte[] body = utf8("{\"clusterId\": \"  \", \"nodeName\": \"srv3\", \"runningVersion\": \"3.5.1\", "
                + "\"since\": \"2026-01-01T00:00:00Z\"}");

        assertThatThrownBy(() -> EventCodec.decode(headersFor(SRV3_ACTIVE), body))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("NodeActive has no clusterId");
    }

    @Test
    void deadLetterOfAKeylessRecordStillDecodes() throws Exception {
        // otherwise the audit service would dead-letter the dead letter, forever
        DeadLetter letter = new DeadLetter(null, Topics.REQUESTS, 0, 12L, Map.of(), utf8("garbage"),
                "missing CloudEvents header ce_type", "/baton/planner-service", 7);

        BatonEvent decoded = EventCodec.decode(headersFor(letter), EventCodec.toJson(letter)).event();

        assertThat(decoded).isInstanceOfSatisfying(DeadLetter.class, d -> {
            assertThat(d.clusterId()).isNull();
            assertThat(d.payload()).isEqualTo(utf8("garbage"));
        });
    }

    @Test
    void badTimeHeaderIsMalformed() {
        Headers headers = headersFor(SRV3_ACTIVE);
        headers.remove(EventCodec.H_TIME);
        headers.add(EventCodec.H_TIME, utf8("yesterday"));

        assertThatThrownBy(() -> EventCodec.envelope(headers))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("ce_time is not an RFC 3339 time: yesterday");
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void everyClassHasItsVersionedTypeName(Class<? extends BatonEvent> type) {
        String name = "dev.baton." + type.getSimpleName() + ".v1";

        assertThat(EventTypes.typeOf(type)).isEqualTo(name);
        assertThat(EventTypes.classOf(name)).contains(type);
    }

    @Test
    void everyClassTravelsOnItsDesignTopic() {
        Map<String, String> expected = Map.ofEntries(
                entry("ClusterRegistered", "baton.clusters.v1"),
                entry("UpgradeRequested", "baton.requests.v1"),
                entry("RolloutControl", "baton.requests.v1"),
                entry("NodeCommand", "baton.commands.v1"),
                entry("StepStarted", "baton.results.v1"),
                entry("StepOutput", "baton.results.v1"),
                entry("StepSucceeded", "baton.results.v1"),
                entry("StepFailed", "baton.results.v1"),
                entry("NodeActive", "baton.health.v1"),
                entry("NodeInactive", "baton.health.v1"),
                entry("MembershipObserved", "baton.health.v1"),
                entry("RolloutAccepted", "baton.rollouts.v1"),
                entry("RolloutRejected", "baton.rollouts.v1"),
                entry("RolloutPlanned", "baton.rollouts.v1"),
                entry("NodeUpgradeStarted", "baton.rollouts.v1"),
                entry("NodeUpgraded", "baton.rollouts.v1"),
                entry("RolloutPaused", "baton.rollouts.v1"),
                entry("RolloutResumed", "baton.rollouts.v1"),
                entry("RolloutHalted", "baton.rollouts.v1"),
                entry("RolloutAborted", "baton.rollouts.v1"),
                entry("RolloutCompleted", "baton.rollouts.v1"),
                entry("GuardBlocked", "baton.rollouts.v1"),
                entry("MixedVersionWindowOpened", "baton.rollouts.v1"),
                entry("MixedVersionWindowClosed", "baton.rollouts.v1"),
                entry("OutOfOrderDetected", "baton.rollouts.v1"),
                entry("DeadLetter", "baton.deadletter.v1"));

        Map<String, String> actual = EventTypes.all().stream()
                .collect(Collectors.toMap(Class::getSimpleName, EventTypes::topicOf));

        assertThat(actual).isEqualTo(expected);
        assertThat(Topics.ALL).containsExactlyInAnyOrderElementsOf(Set.copyOf(expected.values()));
    }

    @Test
    void everyRecordOfTheSealedFamiliesIsRegistered() {
        assertThat(List.<Class<?>>copyOf(EventTypes.all())).containsExactlyInAnyOrderElementsOf(records(BatonEvent.class).toList());
    }

    private static Stream<Class<?>> records(Class<?> type) {
        return type.isRecord() ? Stream.of(type)
                : Stream.of(type.getPermittedSubclasses()).flatMap(EventCodecTest::records);
    }

    @Test
    void unknownOrNullTypeHasNoClass() {
        assertThat(EventTypes.classOf(null)).isEmpty();
        assertThat(EventTypes.classOf("NodeActive")).isEmpty();
    }
}
