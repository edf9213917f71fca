package dev.baton.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published JSON Schemas ({@code schemas/<Event>.v1.schema.json}) applied to what arrives: a reader accepts
 * exactly what the schema of the event's type accepts, so a field of the wrong type, a missing required field or an
 * empty or over-long id is refused before any service looks at it, with the field named. Touches no topic.
 */
public final class EventSchemas {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .pathType(PathType.JSON_PATH)
            .build();
    private static final Map<Class<? extends BatonEvent>, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** Where the schema of an event type is on the class path. */
    public static String resource(Class<? extends BatonEvent> type) {
        return "/schemas/" + type.getSimpleName() + ".v1.schema.json";
    }

    /**
     * What the schema of {@code type} finds wrong with {@code json}, each naming the field (e.g.
     * {@code $.nodes[0].sshPort: string found, integer expected}), in a stable order; empty when it is valid.
     */
    public static List<String> violations(Class<? extends BatonEvent> type, JsonNode json) {
        return SCHEMAS.computeIfAbsent(type, EventSchemas::load).validate(json).stream()
                .map(ValidationMessage::getMessage)
                .sorted(Comparator.naturalOrder())
                .toList();
    }

    private static JsonSchema load(Class<? extends BatonEvent> type) {
        try (InputStream in = EventSchemas.class.getResourceAsStream(resource(type))) {
            if (in == null) {
                throw new IllegalStateException("no JSON Schema for " + type.getSimpleName() + " at " + resource(type));
            }
            JsonSchema schema = FACTORY.getSchema(BatonJson.mapper().readTree(in), CONFIG);
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
