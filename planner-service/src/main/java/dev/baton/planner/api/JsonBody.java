package dev.baton.planner.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.contracts.BatonJson;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One JSON object of a REST request body (the body itself, or an object inside it such as {@code nodes[2]}), read
 * field by field with the JSON types the published schema gives each field. A field that is missing, of the wrong
 * JSON type, empty or over {@link #MAX_NAME_LENGTH} characters is an {@link InvalidField} naming its path and saying
 * what is accepted, in Baton's words: the caller never sees Jackson's own messages or Java type names.
 * A JSON {@code null} counts as absent. Fields this reader is not asked about are ignored, as the schemas allow.
 */
final class JsonBody {
    /**
     * The most characters an id or name may have (cluster, request and node ids, hosts, users, procedure and pool
     * names): 253, the longest DNS name. The schemas set no limit; a longer value is a mistake, not an id.
     */
    static final int MAX_NAME_LENGTH = 253;

    private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final BigDecimal INT_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);

    // "{} {}" is not one object; 1.5 stays 1.5 (never rounded to a double that hides the fraction)
    private static final ObjectReader READER = BatonJson.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final JsonNode object;
    private final String prefix;

    private JsonBody(JsonNode object, String prefix) {
        this.object = object;
        this.prefix = prefix;
    }

    /** Reads a request body that must be one JSON object; {@code what} says which, e.g. "an UpgradeRequested". */
    static JsonBody read(String json, String what) {
        if (json == null || json.isBlank()) {
            throw new InvalidField("body", "the body is empty: send " + what + " as a JSON object");
        }
        JsonNode tree;
        try {
            tree = READER.readTree(json);
        } catch (StreamConstraintsException e) {
            throw new InvalidField("body", "the body is nested too deeply or holds a value too long to read: send "
                    + what + " as a JSON object");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidField("body", "the body is not one valid JSON value (a syntax error, a body cut short or"
                    + " a second value" + (where.isEmpty() ? "" : "," + where) + "): send " + what + " as a JSON object");
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidField("body", "the body must be a JSON object (" + what + "), got " + describe(tree));
        }
        return new JsonBody(tree, "");
    }

    /** The path of one of this object's fields in the whole body, e.g. {@code nodes[2].sshPort}. */
    String path(String name) {
        return prefix + name;
    }

    /** A string that must be present and not blank; {@code accepted} says what it is, e.g. "like matrix-prod". */
    String requiredName(String name, String accepted) {
        String value = optionalName(name, accepted);
        if (value == null) {
            throw new InvalidField(path(name), path(name) + " is required: " + accepted);
        }
        return value;
    }

    /** A string that may be absent, but if present is not blank and at most {@link #MAX_NAME_LENGTH} characters. */
    String optionalName(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return null;
        }
        return name(value, path(name), accepted);
    }

    /** A string that may be absent (null); any string otherwise, checked by the caller's own rules. */
    String optionalText(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidField(path(name), path(name) + " must be a string: " + accepted + ", got " + describe(value));
        }
        return value.textValue();
    }

    /** Like {@link #optionalText}, but required. */
    String requiredText(String name, String accepted) {
        String value = optionalText(name, accepted);
        if (value == null) {
            throw new InvalidField(path(name), path(name) + " is required: " + accepted);
        }
        return value;
    }

    /**
     * A whole number that may be absent. 3 and 3.0 are whole numbers (as in JSON Schema), "3" and 3.5 are not. A
     * number beyond the int range is read as the nearest int: no cluster has two billion nodes, so the meaning of a
     * count or budget does not change, and range rules still apply to the result.
     */
    Integer optionalWholeNumber(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !isWhole(value.decimalValue())) {
            throw new InvalidField(path(name), path(name) + " must be a whole number: " + accepted + ", got " + describe(value));
        }
        BigDecimal number = value.decimalValue();
        if (number.compareTo(INT_MAX) > 0) {
            return Integer.MAX_VALUE;
        }
        if (number.compareTo(INT_MIN) < 0) {
            return Integer.MIN_VALUE;
        }
        return number.intValueExact();
    }

    /** Like {@link #optionalWholeNumber}, but required. */
    int requiredWholeNumber(String name, String accepted) {
        Integer value = optionalWholeNumber(name, accepted);
        if (value == null) {
            throw new InvalidField(path(name), path(name) + " is required: " + accepted);
        }
        return value;
    }

    /** {@code true} or {@code false}; absent means false. */
    boolean flag(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidField(path(name), path(name) + " must be true or false: " + accepted + ", got " + describe(value));
        }
        return value.booleanValue();
    }

    /** An ISO 8601 duration string ({@code PT30S}, as {@link Duration#parse} reads it), or null when absent. */
    Duration optionalDuration(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return null;
        }
        String problem = path(name) + " must be an ISO 8601 duration like PT30S, PT5M or P1DT2H (days, hours, minutes,"
                + " seconds): " + accepted + ", got " + describe(value);
        if (!value.isTextual()) {
            throw new InvalidField(path(name), problem);
        }
        try {
            return Duration.parse(value.textValue());
        } catch (DateTimeParseException e) {
            throw new InvalidField(path(name), problem);
        }
    }

    /** A list of names (each as {@link #optionalName} demands), or an empty list when absent. */
    List<String> names(String name, String accepted) {
        return list(name, accepted, (item, at) -> name(item, at, accepted));
    }

    /** A list of strings (any string; the caller's rules judge them), or an empty list when absent. */
    List<String> texts(String name, String accepted) {
        return list(name, accepted, (item, at) -> {
            if (!item.isTextual()) {
                throw new InvalidField(at, at + " must be a string: " + accepted + ", got " + describe(item));
            }
            return item.textValue();
        });
    }

    /** An object whose values are all strings (such as labels), or an empty map when absent. */
    Map<String, String> textMap(String name, String accepted) {
        JsonNode value = field(name);
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null) {
            return map;
        }
        if (!value.isObject()) {
            throw new InvalidField(path(name), path(name) + " must be an object: " + accepted + ", got " + describe(value));
        }
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            String at = path(name) + "." + entry.getKey();
            if (!entry.getValue().isTextual()) {
                throw new InvalidField(at, at + " must be a string: " + accepted + ", got " + describe(entry.getValue()));
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return map;
    }

    /** A nested object, or empty when absent. */
    Optional<JsonBody> optionalObject(String name, String accepted) {
        JsonNode value = field(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isObject()) {
            throw new InvalidField(path(name), path(name) + " must be an object: " + accepted + ", got " + describe(value));
        }
        return Optional.of(new JsonBody(value, path(name) + "."));
    }

    /** A list of objects that must be present and hold at least one. */
    List<JsonBody> requiredObjects(String name, String accepted) {
        if (field(name) == null) {
            throw new InvalidField(path(name), path(name) + " is required: " + accepted);
        }
        List<JsonBody> objects = list(name, accepted, (item, at) -> {
            if (!item.isObject()) {
                throw new InvalidField(at, at + " must be an object: " + accepted + ", got " + describe(item));
            }
            return new JsonBody(item, at + ".");
        });
        if (objects.isEmpty()) {
            throw new InvalidField(path(name), path(name) + " must not be empty: " + accepted);
        }
        return objects;
    }

    private interface Item<T> {
        T read(JsonNode item, String path);
    }

    private <T> List<T> list(String name, String accepted, Item<T> reader) {
        JsonNode value = field(name);
        List<T> items = new ArrayList<>();
        if (value == null) {
            return items;
        }
        if (!value.isArray()) {
            throw new InvalidField(path(name), path(name) + " must be a list: " + accepted + ", got " + describe(value));
        }
        for (int i = 0; i < value.size(); i++) {
            items.add(reader.read(value.get(i), path(name) + "[" + i + "]"));
        }
        return items;
    }

    private static String name(JsonNode value, String at, String accepted) {
        if (!value.isTextual()) {
            throw new InvalidField(at, at + " must be a string: " + accepted + ", got " + describe(value));
        }
        String text = value.textValue();
        if (text.isBlank()) {
            throw new InvalidField(at, at + " must not be empty: " + accepted);
        }
        if (text.length() > MAX_NAME_LENGTH) {
            throw new InvalidField(at, at + " is " + text.length() + " characters long; ids and names may have at most "
                    + MAX_NAME_LENGTH + " characters: " + accepted);
        }
        return text;
    }

    /** The field's value, or null when it is absent or JSON null. */
    private JsonNode field(String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() ? null : value;
    }

    private static boolean isWhole(BigDecimal number) {
        // works on the digits, never on the magnitude: cheap even for 1e1000000000
        return number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
    }

    /** What a caller sent, in JSON's words (never a Java type). */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            String text = value.textValue();
            return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (value.isNumber()) {
            String number = value.decimalValue().toString();
            return "the number " + (number.length() > 40 ? number.substring(0, 40) + "..." : number);
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.isObject() ? "an object" : "a value of another kind";
    }
}
