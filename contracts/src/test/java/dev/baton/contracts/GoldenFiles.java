package dev.baton.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Test access to the golden wire-format files ({@code golden/<Event>.v1.json}) and schemas ({@code schemas/<Event>.v1.schema.json}). */
final class GoldenFiles {

    static String goldenPath(Class<? extends BatonEvent> type) {
        return "/golden/" + type.getSimpleName() + ".v1.json";
    }

    static String schemaPath(Class<? extends BatonEvent> type) {
        return "/schemas/" + type.getSimpleName() + ".v1.schema.json";
    }

    static JsonNode golden(Class<? extends BatonEvent> type) {
        return tree(goldenPath(type));
    }

    static byte[] goldenBytes(Class<? extends BatonEvent> type) {
        return bytes(goldenPath(type));
    }

    static JsonNode schema(Class<? extends BatonEvent> type) {
        return tree(schemaPath(type));
    }

    static boolean exists(String path) {
        return GoldenFiles.class.getResource(path) != null;
    }

    static JsonNode tree(String path) {
        try {
            return BatonJson.mapper().readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + path, e);
        }
    }

    static byte[] bytes(String path) {
        try (InputStream in = GoldenFiles.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private GoldenFiles() {
    }
}
