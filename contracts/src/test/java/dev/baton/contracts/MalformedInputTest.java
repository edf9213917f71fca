package dev.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of malformed record a consumer meets is refused by the codec with a reason that names what is wrong. */
class MalformedInputTest {
    private static final String GOOD_CLUSTER = new String(GoldenFiles.goldenBytes(ClusterRegistered.class),
            StandardCharsets.UTF_8);
    private static final String GOOD_COMMAND = new String(GoldenFiles.goldenBytes(NodeCommand.class),
            StandardCharsets.UTF_8);

    static Stream<Arguments> malformedBodies() {
        byte[] invalidUtf8 = GOOD_CLUSTER.replace("\"srv1\"", "\"srv\u0001\"").getBytes(StandardCharsets.UTF_8);
        invalidUtf8[GOOD_CLUSTER.indexOf("srv\u0001") + 3] = (byte) 0xC3; // a lead byte without its continuation
        byte[] oversize = new byte[EventCodec.MAX_EVENT_BYTES + 1];
        Arrays.fill(oversize, (byte) ' ');
        oversize[0] = '{';
        oversize[oversize.length - 1] = '}';
        return Stream.of(
                Arguments.of("the JSON value null", ClusterRegistered.class, "null".getBytes(), "JSON null"),
                Arguments.of("a JSON array", ClusterRegistered.class, "[1,2]".getBytes(), "JSON array"),
                Arguments.of("a JSON string", UpgradeRequested.class, "\"upgrade\"".getBytes(), "JSON string"),
                Arguments.of("random text", UpgradeRequested.class, "upgrade matrix-prod please".getBytes(), "not a valid"),
                Arguments.of("deeply nested braces", UpgradeRequested.class, "{".repeat(5000).getBytes(), "not a valid"),
                Arguments.of("deeply nested arrays", UpgradeRequested.class,
                        ("{\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}").getBytes(), "not a valid"),
                Arguments.of("invalid UTF-8", ClusterRegistered.class, invalidUtf8, "UTF-8"),
                Arguments.of("a value over the size limit", ClusterRegistered.class, oversize, "larger than"),
                Arguments.of("trailing garbage", ClusterRegistered.class, (GOOD_CLUSTER + " x").getBytes(), "not a valid"),
                Arguments.of("a key twice", UpgradeRequested.class,
                        "{\"requestId\":\"r\",\"clusterId\":\"a\",\"clusterId\":\"b\",\"targetVersion\":\"1\"}".getBytes(),
                        "Duplicate field"),
                Arguments.of("the wrong shape", ClusterRegistered.class,
                        "{\"clusterId\":\"c\",\"hello\":\"world\"}".getBytes(), "$: required property 'nodes'"),
                Arguments.of("a field of the wrong type", ClusterRegistered.class,
                        GOOD_CLUSTER.replace("\"sshPort\": 22", "\"sshPort\": \"twenty-two\"").getBytes(),
                        "$.nodes[0].sshPort: string found, integer expected"),
                Arguments.of("a missing required field", UpgradeRequested.class,
                        "{\"requestId\":\"r\",\"clusterId\":\"a\"}".getBytes(), "targetVersion"),
                Arguments.of("an empty id", UpgradeRequested.class,
                        "{\"requestId\":\"r\",\"clusterId\":\"\",\"targetVersion\":\"1\"}".getBytes(), "$.clusterId"),
                Arguments.of("an absurdly long id", UpgradeRequested.class,
                        ("{\"requestId\":\"r\",\"clusterId\":\"" + "c".repeat(10_000) + "\",\"targetVersion\":\"1\"}")
                                .getBytes(), "$.clusterId"),
                Arguments.of("a command whose SSH host is not a host", NodeCommand.class,
                        GOOD_COMMAND.replace("\"host\": \"10.10.2.1\"", "\"host\": \"10.10.2.1; rm -rf /\"").getBytes(),
                        "$.target.host"),
                Arguments.of("a command whose SSH port is out of range", NodeCommand.class,
                        GOOD_COMMAND.replace("\"port\": 22", "\"port\": 70000").getBytes(), "$.target.port"),
                Arguments.of("a command without SSH target", NodeCommand.class,
                        GOOD_COMMAND.replaceFirst("\"target\": \\{[^}]*},", "").getBytes(), "target"),
                Arguments.of("a command with an empty SSH user", NodeCommand.class,
                        GOOD_COMMAND.replace("\"user\": \"root\"", "\"user\": \"\"").getBytes(), "$.target.user"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void malformedBodyIsRefusedWithItsReason(String what, Class<? extends BatonEvent> type, byte[] body, String reason) {
        assertThatThrownBy(() -> EventCodec.decode(type, body))
                .as(what)
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void theGoldenFilesTheseAreMadeFromAreValid() throws Exception {
        assertThat(EventCodec.decode(ClusterRegistered.class, GOOD_CLUSTER.getBytes()).nodes()).isNotEmpty();
        assertThat(EventCodec.decode(NodeCommand.class, GOOD_COMMAND.getBytes()).target().host()).isEqualTo("10.10.2.1");
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("no ce_specversion", (Consumer<Headers>) h -> h.remove(EventCodec.H_SPECVERSION),
                        "missing CloudEvents header ce_specversion"),
                Arguments.of("a wrong ce_specversion", set(EventCodec.H_SPECVERSION, "0.3"), "ce_specversion is '0.3'"),
                Arguments.of("an empty ce_id", set(EventCodec.H_ID, ""), "ce_id is empty"),
                Arguments.of("an absurdly long ce_id", set(EventCodec.H_ID, "i".repeat(5000)), "ce_id has 5000 characters"),
                Arguments.of("an unknown ce_type", set(EventCodec.H_TYPE, "dev.baton.Nonsense.v1"), "unknown event type"),
                Arguments.of("a ce_type that does not match the body", set(EventCodec.H_TYPE, EventTypes.typeOf(NodeCommand.class)),
                        "not a valid NodeCommand"),
                Arguments.of("a ce_clusterid of another cluster", set(EventCodec.H_CLUSTERID, "other"),
                        "ce_clusterid 'other' is not the event's clusterId 'matrix-prod'"),
                Arguments.of("a bad ce_time", set(EventCodec.H_TIME, "yesterday"), "ce_time"),
                Arguments.of("no headers at all", (Consumer<Headers>) h -> h.forEach(x -> { }), null));
    }

    private static Consumer<Headers> set(String key, String value) {
        return headers -> {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeadersAreRefusedWithTheirReason(String what, Consumer<Headers> change, String reason) throws Exception {
        ClusterRegistered cluster = EventCodec.decode(ClusterRegistered.class, GOOD_CLUSTER.getBytes());
        Headers headers = reason == null ? new RecordHeaders()
                : EventCodec.toHeaders(EventEnvelope.of(cluster, "/fleet", "fleet", null));
        change.accept(headers);

        assertThatThrownBy(() -> EventCodec.decode(headers, GOOD_CLUSTER.getBytes()))
                .as(what)
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(reason == null ? "missing CloudEvents header" : reason);
    }

    @Test
    void deadLetterOfAGiantRecordFitsInOneKafkaRecordAndSaysWhatWasCut() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 500; i++) {
            headers.add("h" + i, "v".repeat(10_000).getBytes(StandardCharsets.UTF_8));
        }
        headers.add("no-value", null);
        byte[] value = new byte[900 * 1024];

        DeadLetter letter = DeadLetter.of("k".repeat(5000), Topics.REQUESTS, 1, 2L, headers, value, "too big", "/baton/x");

        assertThat(EventCodec.toJson(letter).length).isLessThan(1024 * 1024 / 2);
        assertThat(letter.payloadSize()).isEqualTo(900 * 1024);
        assertThat(letter.payload()).hasSize(DeadLetter.MAX_PAYLOAD_BYTES);
        assertThat(letter.headers()).hasSize(DeadLetter.MAX_HEADERS);
        assertThat(letter.clusterId()).hasSize(DeadLetter.MAX_TEXT_LENGTH);
        assertThat(letter.reason()).startsWith("too big").contains("payload cut", "headers after the first 100", "key of 5000");
    }

    @Test
    void deadLetterKeepsAHeaderWithoutValue() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("empty", null);

        DeadLetter letter = DeadLetter.of(null, Topics.REQUESTS, 0, 0L, headers, null, "no value", "/baton/x");

        assertThat(letter.headers()).containsEntry("empty", null);
        assertThat(letter.payloadSize()).isNull();
    }
}
