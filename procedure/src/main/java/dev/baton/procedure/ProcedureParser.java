package dev.baton.procedure;

import java.io.StringReader;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a procedure YAML document and validates it completely, so a broken procedure is rejected
 * when it is loaded, with its file, line and reason ({@link ProcedureException}), never mid-rollout.
 */
public final class ProcedureParser {
    private static final Set<String> TOP_KEYS = Set.of("name", "product", "ordering", "compatibility", "steps", "health");
    private static final Set<String> STEP_KEYS = Set.of("name", "kind", "command", "timeout", "disruptive", "onFailure");
    private static final Set<String> HEALTH_KEYS = Set.of("command", "activePattern", "versionPattern", "membership",
            "stableProbes", "timeout");
    private static final Set<String> STEP_KINDS = Set.of("run", "reboot");
    private static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(5);

    private final String source;

    private ProcedureParser(String source) {
        this.source = source;
    }

    /** Parses one procedure; {@code source} names the file in error messages. */
    public static Procedure parse(String source, String yaml) {
        return new ProcedureParser(source).parse(yaml);
    }

    private Procedure parse(String yaml) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw new ProcedureException(source, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new ProcedureException(source, 1, "not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new ProcedureException(source, 1, "the file is empty");
        }
        Map<String, Node> top = mapping(root, "the procedure", TOP_KEYS);
        String name = requiredText(top, root, "name");
        String product = optionalText(top, "product", name);
        OrderingPolicy ordering = ordering(top);
        List<CompatibilityRule> compatibility = compatibility(top.get("compatibility"));
        List<StepDefinition> steps = steps(top, root);
        Node healthNode = top.get("health");
        if (healthNode == null) {
            throw error(root, "missing 'health': a procedure must say how to tell that a node is active again");
        }
        return new Procedure(name, product, ordering, compatibility, steps, health(healthNode));
    }

    private OrderingPolicy ordering(Map<String, Node> top) {
        Node node = top.get("ordering");
        if (node == null) {
            return OrderingPolicy.INVENTORY;
        }
        Map<String, Node> ordering = mapping(node, "ordering", Set.of("policy"));
        Node policyNode = ordering.get("policy");
        if (policyNode == null) {
            throw error(node, "ordering needs a 'policy'");
        }
        String policy = text(policyNode, "ordering.policy");
        return OrderingPolicy.fromYaml(policy).orElseThrow(() -> error(policyNode,
                "unknown ordering policy '" + policy + "' (known: " + names(OrderingPolicy.values()) + ")"));
    }

    private List<CompatibilityRule> compatibility(Node node) {
        List<CompatibilityRule> rules = new ArrayList<>();
        if (node == null) {
            return rules;
        }
        for (Node item : sequence(node, "compatibility")) {
            Map<String, Node> rule = mapping(item, "a compatibility rule", Set.of("target", "rollingFrom"));
            String target = versionPattern(requiredText(rule, item, "target"), rule.get("target"));
            List<String> from = new ArrayList<>();
            Node fromNode = rule.get("rollingFrom");
            if (fromNode == null) {
                throw error(item, "compatibility rule for " + target + " needs 'rollingFrom' (a list of versions)");
            }
            for (Node version : sequence(fromNode, "rollingFrom")) {
                from.add(versionPattern(text(version, "rollingFrom"), version));
            }
            rules.add(new CompatibilityRule(target, from));
        }
        return rules;
    }

    private String versionPattern(String pattern, Node node) {
        String bare = pattern.endsWith(".*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        if (!Versions.isValid(bare)) {
            throw error(node, "'" + pattern + "' is not a version or version pattern like 5.20.1 or 5.20.*");
        }
        return pattern;
    }

    private List<StepDefinition> steps(Map<String, Node> top, Node root) {
        Node node = top.get("steps");
        if (node == null) {
            throw error(root, "missing 'steps': a procedure needs at least one step");
        }
        List<Node> items = sequence(node, "steps");
        if (items.isEmpty()) {
            throw error(node, "'steps' is empty: a procedure needs at least one step");
        }
        List<StepDefinition> steps = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Node item : items) {
            Map<String, Node> step = mapping(item, "a step", STEP_KEYS);
            String name = requiredText(step, item, "name");
            if (!seen.add(name)) {
                throw error(step.get("name"), "step name '" + name + "' is used twice");
            }
            String kind = optionalText(step, "kind", "run");
            if (!STEP_KINDS.contains(kind)) {
                throw error(step.get("kind"), "unknown step kind '" + kind + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(STEP_KINDS)) + ")");
            }
            String command = "reboot".equals(kind) ? optionalText(step, "command", "reboot")
                    : requiredText(step, item, "command");
            checkPlaceholders(command, step.containsKey("command") ? step.get("command") : item);
            Duration timeout = duration(step.get("timeout"), DEFAULT_STEP_TIMEOUT, "timeout");
            boolean disruptive = bool(step.get("disruptive"), true, "disruptive");
            String failure = optionalText(step, "onFailure", "halt");
            FailureMeaning onFailure = FailureMeaning.fromYaml(failure).orElseThrow(() -> error(step.get("onFailure"),
                    "unknown onFailure '" + failure + "' (known: " + names(FailureMeaning.values()) + ")"));
            steps.add(new StepDefinition(name, kind, command, timeout, disruptive, onFailure));
        }
        return steps;
    }

    private void checkPlaceholders(String command, Node node) {
        Matcher matcher = StepDefinition.PLACEHOLDER.matcher(command);
        while (matcher.find()) {
            if (!StepDefinition.VARIABLES.contains(matcher.group(1))) {
                throw error(node, "unknown variable ${" + matcher.group(1) + "} in command (known: "
                        + String.join(", ", new java.util.TreeSet<>(StepDefinition.VARIABLES)) + ")");
            }
        }
    }

    private HealthProbe health(Node node) {
        Map<String, Node> health = mapping(node, "health", HEALTH_KEYS);
        String command = requiredText(health, node, "command");
        Pattern active = regex(health, node, "activePattern", false);
        Pattern version = regex(health, node, "versionPattern", true);
        String membershipCommand = null;
        Pattern memberAddress = null;
        Node membershipNode = health.get("membership");
        if (membershipNode != null) {
            Map<String, Node> membership = mapping(membershipNode, "health.membership", Set.of("command", "addressPattern"));
            membershipCommand = requiredText(membership, membershipNode, "command");
            memberAddress = regex(membership, membershipNode, "addressPattern", true);
        }
        int stableProbes = integer(health.get("stableProbes"), 3, "stableProbes");
        Duration timeout = duration(health.get("timeout"), DEFAULT_HEALTH_TIMEOUT, "timeout");
        return new HealthProbe(command, active, version, membershipCommand, memberAddress, stableProbes, timeout);
    }

    private Pattern regex(Map<String, Node> map, Node parent, String key, boolean needsGroup) {
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

    private Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
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

    private List<Node> sequence(Node node, String what) {
        if (!(node instanceof SequenceNode sequenceNode)) {
            throw error(node, "'" + what + "' must be a list");
        }
        return sequenceNode.getValue();
    }

    private String text(Node node, String what) {
        if (!(node instanceof ScalarNode scalar)) {
            throw error(node, "'" + what + "' must be a single value");
        }
        return scalar.getValue();
    }

    private String requiredText(Map<String, Node> map, Node parent, String key) {
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

    private String optionalText(Map<String, Node> map, String key, String fallback) {
        Node node = map.get(key);
        return node == null ? fallback : text(node, key);
    }

    private Duration duration(Node node, Duration fallback, String what) {
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

    private boolean bool(Node node, boolean fallback, String what) {
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

    private int integer(Node node, int fallback, String what) {
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

    private ProcedureException error(Node node, String reason) {
        int line = node == null ? 1 : node.getStartMark().getLine() + 1;
        return new ProcedureException(source, line, reason);
    }

    private static String names(YamlNamed[] values) {
        List<String> names = new ArrayList<>();
        for (YamlNamed value : values) {
            names.add(value.yamlName());
        }
        return String.join(", ", names);
    }
}
