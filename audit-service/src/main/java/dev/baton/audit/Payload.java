package dev.baton.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The value of a consumed record as the audit store keeps it: JSON text when PostgreSQL's
 * {@code jsonb} can hold it faithfully, otherwise the raw bytes, or nothing for a tombstone.
 */
public sealed interface Payload {

    /** Most digits before the decimal point PostgreSQL's numeric (and so jsonb) holds. */
    int MAX_INTEGER_DIGITS = 131_072;
    /** Most digits after the decimal point PostgreSQL's numeric holds (its dscale). */
    int MAX_SCALE = 16_383;

    /** Valid JSON (UTF-8 text) that {@code jsonb} stores without loss. */
    record Json(String text) implements Payload {
    }

    /** Anything else: the bytes exactly as they were on the topic. */
    record Raw(byte[] bytes) implements Payload {
        public Raw {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Raw raw && Arrays.equals(bytes, raw.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Raw[" + bytes.length + " bytes]";
        }
    }

    /** A record without a value (e.g. a tombstone on a compacted topic). */
    record Absent() implements Payload {
    }

    /** Classifies a record value. */
    static Payload of(byte[] value) {
        if (value == null) {
            return new Absent();
        }
        String text = StrictUtf8.decode(value);
        if (text != null && storableJson(text)) {
            return new Json(text);
        }
        return new Raw(value);
    }

    /** The same payload as raw bytes (used when PostgreSQL refused the JSON form). */
    default Payload asRaw() {
        return this instanceof Json json ? new Raw(json.text().getBytes(StandardCharsets.UTF_8)) : this;
    }

    /**
     * True if the text is exactly one strict JSON value that {@code jsonb} keeps as written: no duplicate
     * keys (jsonb drops all but the last), no NUL or unpaired surrogates in strings (jsonb rejects them),
     * no number beyond numeric's range.
     */
    private static boolean storableJson(String text) {
        JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (JsonParser parser = factory.createParser(text)) {
            if (parser.nextToken() == null) {
                return false;
            }
            int depth = 0;
            JsonToken token = parser.currentToken();
            while (true) {
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME, VALUE_STRING -> {
                        if (!storableString(parser.getText())) {
                            return false;
                        }
                    }
                    case VALUE_NUMBER_FLOAT -> {
                        if (!storableNumber(parser.getText())) {
                            return false;
                        }
                    }
                    default -> {
                    }
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
            }
            return parser.nextToken() == null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean storableString(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean storableNumber(String literal) {
        BigDecimal number = new BigDecimal(literal);
        return number.scale() <= MAX_SCALE
                && (number.signum() == 0 || number.precision() - number.scale() <= MAX_INTEGER_DIGITS);
    }
}
