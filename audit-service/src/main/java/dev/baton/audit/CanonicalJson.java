package dev.baton.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One JSON value written the same way whatever its spelling: object keys sorted, no whitespace, numbers in
 * plain decimal notation with their scale kept. PostgreSQL's {@code jsonb} re-spells JSON (key order, spaces,
 * exponents), so the hash chain hashes this form, which is the same for the text as sent and as jsonb returns it.
 */
final class CanonicalJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {
    }

    /** The canonical form of one JSON text; null for null. */
    static String of(String json) {
        if (json == null) {
            return null;
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            StringBuilder out = new StringBuilder(json.length());
            value(parser, out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }

    /** A JSON string literal. */
    static String quote(String text) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
    }

    private static void value(JsonParser parser, StringBuilder out) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                List<Map.Entry<String, String>> members = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    String key = parser.currentName();
                    parser.nextToken();
                    StringBuilder member = new StringBuilder();
                    value(parser, member);
                    members.add(Map.entry(key, member.toString()));
                }
                members.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
                out.append('{');
                for (int i = 0; i < members.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append(quote(members.get(i).getKey())).append(':').append(members.get(i).getValue());
                }
                out.append('}');
            }
            case START_ARRAY -> {
                out.append('[');
                boolean first = true;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    value(parser, out);
                }
                out.append(']');
            }
            case VALUE_STRING -> out.append(quote(parser.getText()));
            case VALUE_NUMBER_INT -> out.append(new BigInteger(parser.getText()));
            case VALUE_NUMBER_FLOAT -> out.append(plain(new BigDecimal(parser.getText())));
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("unexpected " + token);
        }
    }

    /** Plain notation; a negative scale (1E+2) is written out as PostgreSQL's numeric does (100). */
    private static String plain(BigDecimal number) {
        if (number.signum() == 0) {
            return number.scale() > 0 ? number.abs().toPlainString() : "0";
        }
        return number.scale() < 0 ? number.setScale(0).toPlainString() : number.toPlainString();
    }
}
