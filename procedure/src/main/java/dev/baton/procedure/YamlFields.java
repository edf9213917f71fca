package dev.baton.procedure;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed reads of one procedure file's YAML nodes; every failure is a {@link ProcedureException}
 * naming the file and the line of the offending node.
 */
final class YamlFields {
    private final String source;

    YamlFields(String source) {
        this.source = source;
    }

    Pattern regex(Map<String, Node> map, Node parent, String key, boolean needsGroup) {
        String text = requiredText(map, parent, key);
        try {
            Pattern pattern = Pattern.compile(text);
            if (needsGroup && pattern.matcher("").groupCount() < 1) {
                throw error(map.get(key), key + " needs a capturing group ( ... ) for the value it extracts");
            }
            return pattern;
        } catch (PatternSyntaxException e) {
            throw error(map.get(key), key + " is not a valid regular expression: " + e.getDescription());
        }
    }

    Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode mappingNode)) {
            throw error(node, what + " must be a mapping of keys to values");
        }
        Map<String, Node> map = new LinkedHashMap<>();
        for (NodeTuple tuple : mappingNode.getValue()) {
            String key = text(tuple.getKeyNode(), "key");
            if (!allowed.contains(key)) {
                throw error(tuple.getKeyNode(), "unknown key '" + key + "' in " + what + " (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
            if (map.put(key, tuple.getValueNode()) != null) {
                throw error(tuple.getKeyNode(), "key '" + key + "' appears twice in " + what);
            }
        }
        return map;
    }

    List<Node> sequence(Node node, String what) {
        if (!(node instanceof SequenceNode sequenceNode)) {
            throw error(node, "'" + what + "' must be a list");
        }
        return sequenceNode.getValue();
    }

    String text(Node node, String what) {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, "'" + what + "' must be a single value");
        }
        return scalar.getValue();
    }

    String requiredText(Map<String, Node> map, Node parent, String key) {
        Node node = map.get(key);
        if (node == null) {
            throw error(parent, "missing '" + key + "'");
        }
        String value = text(node, key);
        if (value.isBlank()) {
            throw error(node, "'" + key + "' is empty");
        }
        return value;
    }

    String optionalText(Map<String, Node> map, String key, String fallback) {
        Node node = map.get(key);
        return node == null ? fallback : text(node, key);
    }

    Duration duration(Node node, Duration fallback, String what) {
        if (node == null) {
            return fallback;
        }
        String value = text(node, what);
        try {
            Duration duration = Duration.parse(value);
            if (duration.isNegative() || duration.isZero()) {
                throw error(node, what + " must be positive, got " + value);
            }
            return duration;
        } catch (DateTimeParseException e) {
            throw error(node, what + " '" + value + "' is not an ISO 8601 duration like PT30S or PT5M");
        }
    }

    boolean bool(Node node, boolean fallback, String what) {
        if (node == null) {
            return fallback;
        }
        String value = text(node, what);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(node, what + " must be true or false, got '" + value + "'");
        };
    }

    int integer(Node node, int fallback, String what) {
        if (node == null) {
            return fallback;
        }
        String value = text(node, what);
        try {
            int number = Integer.parseInt(value);
            if (number < 1) {
                throw error(node, what + " must be at least 1, got " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw error(node, what + " must be a whole number, got '" + value + "'");
        }
    }

    ProcedureException error(Node node, String reason) {
        int line = node == null ? 1 : node.getStartMark().getLine() + 1;
        return new ProcedureException(source, line, reason);
    }

    static String names(YamlNamed[] values) {
        List<String> names = new ArrayList<>();
        for (YamlNamed value : values) {
            names.add(value.yamlName());
        }
        return String.join(", ", names);
    }
}
