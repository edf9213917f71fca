package dev.baton.systemtest;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.EventEnvelope;
import dev.baton.contracts.EventTypes;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.Topics;
import dev.baton.contracts.UpgradeRequested;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.fixtures.NodeCommands;
import dev.baton.fixtures.UpgradeRequests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A seeded generator of records that no Baton consumer may accept, for every topic a service consumes: each one is
 * malformed by construction (never a valid event in disguise), with and without CloudEvents headers. Which services
 * must dead-letter a record depends only on its topic ({@link #REFUSERS}); a tombstone on a compacted topic is
 * counted by its readers, not dead-lettered.
 */
final class MalformedRecords {
    static final String PLANNER = "/baton/planner-service";
    static final String HEALTH = "/baton/health-service";
    static final String EXECUTOR = "/baton/executor-service";

    /** The services that read each topic and so must each dead-letter a malformed record of it, exactly once. */
    static final Map<String, Set<String>> REFUSERS = Map.of(
            Topics.CLUSTERS, Set.of(PLANNER, HEALTH),
            Topics.REQUESTS, Set.of(PLANNER),
            Topics.COMMANDS, Set.of(EXECUTOR),
            Topics.RESULTS, Set.of(PLANNER, HEALTH),
            Topics.HEALTH, Set.of(PLANNER),
            Topics.PLANNER_STATE, Set.of(PLANNER),
            // read by the audit service only, which stores anything and refuses nothing
            Topics.ROLLOUTS, Set.of(),
            Topics.DEADLETTER, Set.of());

    /** One record to publish; {@code kind} says how it is malformed. */
    record Malformed(String topic, byte[] key, byte[] value, List<Header> headers, String kind) {
        boolean tombstone() {
            return value == null && Topics.COMPACTED.contains(topic);
        }

        Set<String> refusers() {
            return tombstone() ? Set.of() : REFUSERS.get(topic);
        }
    }

    /** A marker in every fuzzed command line and id, so a test can prove none ever ran on a node. */
    static final String MARK = "fuzzmark";

    private final Random random;
    private final List<String> realClusters;
    private int oversizeLeft = 12;

    MalformedRecords(long seed, List<String> realClusters) {
        this.random = new Random(seed);
        this.realClusters = List.copyOf(realClusters);
    }

    Malformed next() {
        List<String> topics = List.copyOf(REFUSERS.keySet().stream().sorted().toList());
        String topic = topics.get(random.nextInt(topics.size()));
        return next(topic);
    }

    Malformed next(String topic) {
        // a real cluster's key now and then: the malformed record lands in the partition of a cluster being rolled
        String clusterId = random.nextInt(4) == 0 ? realClusters.get(random.nextInt(realClusters.size()))
                : MARK + "-" + random.nextInt(1000);
        BatonEvent valid = validEventFor(topic, clusterId);
        int kind = random.nextInt(24);
        switch (kind) {
            case 0:
                return record(topic, clusterId, new byte[0], headers(valid), "empty value");
            case 1:
                if (Topics.COMPACTED.contains(topic)) {
                    // a tombstone under a key no real cluster has: counted, not dead-lettered
                    return record(topic, MARK + "-gone-" + random.nextInt(1000), null, headers(valid), "tombstone");
                }
                return record(topic, clusterId, null, headers(valid), "null value");
            case 2:
                return record(topic, clusterId, utf8("null"), headers(valid), "JSON null");
            case 3:
                return record(topic, clusterId, utf8(randomText(1 + random.nextInt(200))), headers(valid), "random text");
            case 4:
                return record(topic, clusterId, randomBytes(1 + random.nextInt(300)), headers(valid), "random bytes");
            case 5: {
                byte[] json = json(valid);
                byte[] broken = json.clone();
                broken[1 + random.nextInt(json.length - 2)] = (byte) (0x80 + random.nextInt(0x40)); // a lone continuation byte
                return record(topic, clusterId, broken, headers(valid), "invalid UTF-8");
            }
            case 6:
                return record(topic, clusterId, utf8("{".repeat(1 + random.nextInt(20_000))), headers(valid),
                        "deeply nested {");
            case 7:
                return record(topic, clusterId, utf8("[" + new String(json(valid), StandardCharsets.UTF_8) + "]"),
                        headers(valid), "array");
            case 8:
                return record(topic, clusterId, utf8("{\"clusterId\":\"" + clusterId + "\",\"hello\":\"" + MARK + "\"}"),
                        headers(valid), "wrong shape");
            case 9:
                return record(topic, clusterId, wrongType(valid), headers(valid), "field of the wrong type");
            case 10:
                return record(topic, clusterId, withoutRequired(valid), headers(valid), "missing required field");
            case 11:
                return record(topic, clusterId, withId(valid, ""), headers(valid), "empty id");
            case 12:
                return record(topic, clusterId, withId(valid, MARK + "x".repeat(300 + random.nextInt(5000))),
                        headers(valid), "absurdly long id");
            case 13:
                if (oversizeLeft-- > 0) {
                    ObjectNode big = (ObjectNode) BatonJson.mapper().valueToTree(valid);
                    big.put("padding", "p".repeat(EventCodec.MAX_EVENT_BYTES + 1 + random.nextInt(100_000)));
                    return record(topic, clusterId, bytes(big), headers(valid), "value over the size limit");
                }
                return record(topic, clusterId, json(valid), List.of(), "no headers at all");
            case 14:
                return record(topic, clusterId, json(valid), List.of(), "no headers at all");
            case 15:
                return record(topic, clusterId, json(valid), without(headers(valid), EventCodec.H_TYPE), "no ce_type");
            case 16:
                return record(topic, clusterId, json(valid), without(headers(valid), EventCodec.H_ID), "no ce_id");
            case 17:
                return record(topic, clusterId, json(valid), replaced(headers(valid), EventCodec.H_SPECVERSION, "0.3"),
                        "wrong ce_specversion");
            case 18:
                return record(topic, clusterId, json(valid),
                        replaced(headers(valid), EventCodec.H_TYPE, "dev.baton." + MARK + random.nextInt(100) + ".v1"),
                        "unknown ce_type");
            case 19: {
                // the ce_type of an event that belongs on another topic
                String other = random.nextBoolean() ? EventTypes.typeOf(UpgradeRequested.class)
                        : EventTypes.typeOf(NodeActive.class);
                if (other.equals(EventTypes.typeOf(valid.getClass())) || topic.equals(Topics.DEADLETTER)) {
                    other = EventTypes.typeOf(NodeCommand.class);
                }
                return record(topic, clusterId, json(valid), replaced(headers(valid), EventCodec.H_TYPE, other),
                        "mismatched ce_type");
            }
            case 20:
                return record(topic, clusterId, json(valid), replaced(headers(valid), EventCodec.H_TIME, "yesterday"),
                        "bad ce_time");
            case 21:
                return record(topic, clusterId, json(valid),
                        replaced(headers(valid), EventCodec.H_CLUSTERID, MARK + "-elsewhere"), "mismatched ce_clusterid");
            case 22:
                return new Malformed(topic, utf8(MARK + "-other-key"), json(valid), headers(valid), "key of another cluster");
            default:
                if (topic.equals(Topics.COMMANDS)) {
                    NodeCommand command = (NodeCommand) valid;
                    NodeCommand aimedBadly = NodeCommands.from(command)
                            .target(new SshTarget(random.nextBoolean() ? "127.77.1.1; touch /tmp/" + MARK : "", 22, "root"))
                            .disruptive().attempt(1).epoch(1).executorPool(null).artifact(null).expectVersion(null, null)
                            .build();
                    return record(topic, clusterId, json(aimedBadly), headers(aimedBadly), "invalid SSH target");
                }
                return record(topic, clusterId, utf8("\"" + MARK + "\""), headers(valid), "JSON string");
        }
    }

    /** A valid event of the topic's family; every malformed record is made from one. */
    private BatonEvent validEventFor(String topic, String clusterId) {
        Instant now = Instant.now();
        return switch (topic) {
            case Topics.CLUSTERS -> ClusterRegistrations.cluster(clusterId, "matrix-server")
                    .node("n1", "127.0.0.1", n -> n.clusterAddress("10.0.0.1").platform("x86_64", "rhel")).build();
            case Topics.REQUESTS -> UpgradeRequests.upgrade(clusterId, "9.9.9").requestId(MARK + "-" + random.nextInt())
                    .maxUnavailable(1).dryRun().requestedBy(MARK).build();
            case Topics.COMMANDS -> NodeCommands.run(clusterId, "n1", "step", "echo " + MARK)
                    .commandId(MARK + "/" + random.nextInt()).rolloutId("ro-" + MARK).timeout(Duration.ofSeconds(5))
                    .build();
            case Topics.RESULTS -> new StepSucceeded(MARK + "/" + random.nextInt(), "ro-" + MARK, clusterId, "n1", "step",
                    0, MARK, null, null);
            default -> new NodeActive(clusterId, "n1", "9.9.9", "boot-" + MARK, now, MARK);
        };
    }

    private Malformed record(String topic, String key, byte[] value, List<Header> headers, String kind) {
        return new Malformed(topic, key == null ? null : utf8(key), value, headers, kind);
    }

    private static List<Header> headers(BatonEvent event) {
        List<Header> headers = new ArrayList<>();
        EventCodec.toHeaders(EventEnvelope.of(event, "/" + MARK, MARK, null)).forEach(headers::add);
        return headers;
    }

    private static List<Header> without(List<Header> headers, String key) {
        return headers.stream().filter(h -> !h.key().equals(key)).toList();
    }

    private static List<Header> replaced(List<Header> headers, String key, String value) {
        List<Header> changed = new ArrayList<>(without(headers, key));
        changed.add(new RecordHeader(key, utf8(value)));
        return changed;
    }

    private byte[] wrongType(BatonEvent valid) {
        ObjectNode json = (ObjectNode) BatonJson.mapper().valueToTree(valid);
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(3)) {
            case 0 -> json.putObject(field).put("unexpected", MARK);
            case 1 -> json.putArray(field).add(42);
            default -> json.put(field, json.get(field).isNumber() || json.get(field).isBoolean() ? MARK : "42");
        }
        if (json.get(field).isTextual() && "42".equals(json.get(field).asText())) {
            json.put(field, 42); // a number where text is wanted
        }
        return bytes(json);
    }

    private byte[] withoutRequired(BatonEvent valid) {
        ObjectNode json = (ObjectNode) BatonJson.mapper().valueToTree(valid);
        json.remove(random.nextBoolean() ? "clusterId" : "nodeName");
        if (valid instanceof UpgradeRequested || valid instanceof ClusterRegistered) {
            json.remove("clusterId");
        }
        return bytes(json);
    }

    private static byte[] withId(BatonEvent valid, String id) {
        ObjectNode json = (ObjectNode) BatonJson.mapper().valueToTree(valid);
        json.put("clusterId", id);
        return bytes(json);
    }

    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (' ' + random.nextInt(95)));
        }
        return text.toString().replace('{', '(').replace('[', '(') + " " + MARK;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        bytes[0] = (byte) 0xff; // never valid JSON, never valid UTF-8
        return bytes;
    }

    private static byte[] json(BatonEvent event) {
        return EventCodec.toJson(event);
    }

    private static byte[] bytes(Object json) {
        try {
            return BatonJson.mapper().writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
