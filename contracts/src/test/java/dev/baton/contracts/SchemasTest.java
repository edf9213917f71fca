package dev.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The published JSON Schemas ({@code schemas/<Event>.v1.schema.json}) accept the golden files, reject broken
 * events and describe exactly the fields of the event records.
 */
class SchemasTest {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();

    static Stream<Class<? extends BatonEvent>> eventTypes() {
        return EventTypes.all().stream();
    }

    private static JsonSchema validator(Class<? extends BatonEvent> type) {
        return FACTORY.getSchema(GoldenFiles.schema(type), CONFIG);
    }

    private static Set<ValidationMessage> errors(Class<? extends BatonEvent> type, JsonNode event) {
        return validator(type).validate(event);
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void schemaExistsAndIsAValidDraft202012Schema(Class<? extends BatonEvent> type) {
        assertThat(GoldenFiles.exists(GoldenFiles.schemaPath(type))).as("schema %s", GoldenFiles.schemaPath(type)).isTrue();
        JsonNode schema = GoldenFiles.schema(type);
        JsonSchema metaSchema = FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012), CONFIG);

        assertThat(metaSchema.validate(schema)).isEmpty();
        assertThat(schema.get("$schema").asText()).isEqualTo(SchemaId.V202012);
        assertThat(schema.get("$id").asText())
                .isEqualTo("https://baton.dev/schemas/" + type.getSimpleName() + ".v1.schema.json");
        assertThat(schema.get("title").asText()).isEqualTo(type.getSimpleName());
        assertThat(schema.get("description").asText()).contains(EventTypes.typeOf(type), EventTypes.topicOf(type));
        assertThat(schema.get("additionalProperties").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void goldenFileValidates(Class<? extends BatonEvent> type) {
        assertThat(errors(type, GoldenFiles.golden(type))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void everyExampleInTheSchemaValidatesAndReads(Class<? extends BatonEvent> type) throws Exception {
        JsonNode examples = GoldenFiles.schema(type).get("examples");
        assertThat(examples).as("examples of %s", type.getSimpleName()).isNotEmpty();
        for (JsonNode example : examples) {
            assertThat(errors(type, example)).isEmpty();
            assertThat(EventCodec.decode(type, BatonJson.mapper().writeValueAsBytes(example)).clusterId())
                    .isEqualTo(example.get("clusterId").asText());
        }
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void unknownFieldsAreAllowed(Class<? extends BatonEvent> type) {
        ObjectNode extended = GoldenFiles.golden(type).deepCopy();
        extended.put("fieldFromTheFuture", true);

        assertThat(errors(type, extended)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void schemaDescribesExactlyTheRecordComponents(Class<? extends BatonEvent> type) {
        JsonNode schema = GoldenFiles.schema(type);
        assertObjectMatchesRecord(type, schema, schema, type.getSimpleName());
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    void clusterIdIsRequiredExceptOnDeadLetters(Class<? extends BatonEvent> type) {
        ObjectNode withoutClusterId = GoldenFiles.golden(type).deepCopy();
        withoutClusterId.remove("clusterId");

        if (type == DeadLetter.class) {
            // a dead letter keeps the original key, and the original record may not have had one
            assertThat(errors(type, withoutClusterId)).isEmpty();
        } else {
            assertThat(errors(type, withoutClusterId)).extracting(ValidationMessage::getMessage)
                    .anyMatch(m -> m.contains("clusterId"));
        }
    }

    @Test
    void upgradeRequestedRequiresRequestIdClusterIdAndTargetVersionOnly() {
        JsonNode required = GoldenFiles.schema(UpgradeRequested.class).get("required");

        assertThat(texts(required)).containsExactlyInAnyOrder("requestId", "clusterId", "targetVersion");
    }

    @Test
    void upgradeRequestedWithoutClusterIdIsRejected() {
        ObjectNode request = GoldenFiles.golden(UpgradeRequested.class).deepCopy();
        request.remove("clusterId");

        assertThat(errors(UpgradeRequested.class, request)).extracting(ValidationMessage::getMessage)
                .singleElement().asString().contains("clusterId");
    }

    @Test
    void upgradeRequestedWithEmptyTargetVersionIsRejected() {
        ObjectNode request = GoldenFiles.golden(UpgradeRequested.class).deepCopy();
        request.put("targetVersion", "");

        assertThat(errors(UpgradeRequested.class, request)).isNotEmpty();
    }

    @Test
    void durationsMustBeIso8601() {
        for (String bad : List.of("30s", "30", "P", "PT", "P1W", "P1M")) {
            ObjectNode request = GoldenFiles.golden(UpgradeRequested.class).deepCopy();
            request.put("delayBetweenNodes", bad);
            assertThat(errors(UpgradeRequested.class, request)).as("delayBetweenNodes %s", bad).isNotEmpty();
        }
        for (String good : List.of("PT30S", "PT5M", "PT1H30M", "PT0.5S", "P1DT2H", "PT0S")) {
            ObjectNode request = GoldenFiles.golden(UpgradeRequested.class).deepCopy();
            request.put("delayBetweenNodes", good);
            assertThat(errors(UpgradeRequested.class, request)).as("delayBetweenNodes %s", good).isEmpty();
        }
    }

    @Test
    void timesMustBeRfc3339() {
        ObjectNode active = GoldenFiles.golden(NodeActive.class).deepCopy();
        active.put("since", "12/06/2025 09:41");

        assertThat(errors(NodeActive.class, active)).isNotEmpty();
    }

    @Test
    void nodeCommandWithUnknownKindIsRejected() {
        ObjectNode command = GoldenFiles.golden(NodeCommand.class).deepCopy();
        command.put("kind", "explode");

        assertThat(errors(NodeCommand.class, command)).extracting(ValidationMessage::getMessage)
                .singleElement().asString().contains("kind");
    }

    @Test
    void nodeCommandKindIsLowerCaseOnTheWire() {
        ObjectNode command = GoldenFiles.golden(NodeCommand.class).deepCopy();
        command.put("kind", "RUN");

        assertThat(errors(NodeCommand.class, command)).isNotEmpty();
    }

    @Test
    void releaseWithoutNodeNameIsRejected() {
        ObjectNode control = GoldenFiles.golden(RolloutControl.class).deepCopy();
        control.remove("nodeName");
        assertThat(errors(RolloutControl.class, control)).isNotEmpty();

        control.put("action", "pause");
        assertThat(errors(RolloutControl.class, control)).isEmpty();
    }

    @Test
    void aRollbackNeedsNoNodeNameAndCarriesItsDryRunAndRequestId() throws Exception {
        ObjectNode control = GoldenFiles.golden(RolloutControl.class).deepCopy();
        control.remove("nodeName");
        control.put("action", "rollback").put("dryRun", true).put("requestId", "rollback-of-ro-matrix-prod-0042-dry-run");
        assertThat(errors(RolloutControl.class, control)).isEmpty();

        RolloutControl read = EventCodec.decode(RolloutControl.class, BatonJson.mapper().writeValueAsBytes(control));
        assertThat(read).isEqualTo(RolloutControl.rollback("ro-matrix-prod-0042", "matrix-prod", "alice@ops", true,
                "rollback-of-ro-matrix-prod-0042-dry-run"));
        assertThat(read.action().perNode()).isFalse();

        control.put("requestId", "");
        assertThat(errors(RolloutControl.class, control)).isNotEmpty();
    }

    @Test
    void clusterNodeWithoutSshEndpointIsRejected() {
        ObjectNode cluster = GoldenFiles.golden(ClusterRegistered.class).deepCopy();
        ((ObjectNode) cluster.withArray("nodes").get(0)).remove("sshHost");

        assertThat(errors(ClusterRegistered.class, cluster)).extracting(ValidationMessage::getMessage)
                .anyMatch(m -> m.contains("sshHost"));
    }

    @Test
    void schemaEnumsAreExactlyTheWireNamesOfTheJavaEnums() {
        assertThat(texts(GoldenFiles.schema(NodeCommand.class).at("/properties/kind/enum")))
                .containsExactlyElementsOf(wireNames(NodeCommand.Kind.values()));
        assertThat(texts(GoldenFiles.schema(RolloutControl.class).at("/properties/action/enum")))
                .containsExactlyElementsOf(wireNames(RolloutControl.Action.values()));
    }

    private static List<String> wireNames(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> BatonJson.mapper().valueToTree(v).asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** Properties of an object schema = components of the record, recursively for nested records; all described. */
    private static void assertObjectMatchesRecord(Class<?> record, JsonNode objectSchema, JsonNode root, String where) {
        JsonNode properties = objectSchema.get("properties");
        List<String> components = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
        List<String> propertyNames = new ArrayList<>();
        properties.fieldNames().forEachRemaining(propertyNames::add);

        assertThat(propertyNames).as("properties of %s", where).containsExactlyInAnyOrderElementsOf(components);
        assertThat(texts(objectSchema.path("required"))).as("required of %s", where).isSubsetOf(components);
        assertThat(objectSchema.path("additionalProperties").asBoolean()).as("additionalProperties of %s", where).isTrue();

        for (RecordComponent component : record.getRecordComponents()) {
            JsonNode property = properties.get(component.getName());
            String path = where + "." + component.getName();
            assertThat(property.path("description").asText()).as("description of %s", path).isNotBlank();
            Class<?> nested = component.getType();
            JsonNode nestedSchema = resolve(property, root);
            if (component.getGenericType() instanceof ParameterizedType generic && List.class.isAssignableFrom(nested)
                    && generic.getActualTypeArguments()[0] instanceof Class<?> element) {
                nested = element;
                nestedSchema = resolve(property.get("items"), root);
            }
            if (nested.isRecord()) {
                assertObjectMatchesRecord(nested, nestedSchema, root, path);
            }
        }
    }

    private static JsonNode resolve(JsonNode schema, JsonNode root) {
        JsonNode ref = schema.get("$ref");
        return ref == null ? schema : root.at(ref.asText().substring(1));
    }
}
