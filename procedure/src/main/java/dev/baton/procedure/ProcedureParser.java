package dev.baton.procedure;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a procedure YAML document and validates it completely, so a broken procedure is rejected
 * when it is loaded, with its file, line and reason ({@link ProcedureException}), never mid-rollout.
 */
public final class ProcedureParser {
    private static final Set<String> TOP_KEYS = Set.of("name", "product", "ordering", "compatibility", "steps", "health",
            "artifact", "remedy", "guards", "mixedVersion", "outOfOrder");
    private static final Set<String> STEP_KEYS = Set.of("name", "kind", "command", "timeout", "disruptive", "onFailure",
            "onFailureWhen", "retries");
    private static final Set<String> ORDERING_KEYS = Set.of("policy", "label");
    private static final Set<String> STEP_KINDS = Set.of("run", "reboot");
    private static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofMinutes(10);

    private final String source;
    private final YamlFields fields;

    private ProcedureParser(String source) {
        this.source = source;
        this.fields = new YamlFields(source);
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
        Map<String, Node> top = fields.mapping(root, "the procedure", TOP_KEYS);
        String name = fields.requiredText(top, root, "name");
        String product = fields.optionalText(top, "product", name);
        OrderingPolicy ordering = ordering(top);
        List<CompatibilityRule> compatibility = compatibility(top.get("compatibility"));
        List<StepDefinition> steps = steps(top, root);
        Node healthNode = top.get("health");
        if (healthNode == null) {
            throw fields.error(root, "missing 'health': a procedure must say how to tell that a node is active again");
        }
        HealthProbe health = new HealthProbeParser(fields).parse(healthNode);
        return new Procedure(name, product, ordering, compatibility, steps, health, orderingLabel(top),
                artifact(top.get("artifact"), steps), remedy(top.get("remedy")), guards(top.get("guards")),
                mixedVersion(top.get("mixedVersion")), outOfOrder(top.get("outOfOrder")));
    }

    private String orderingLabel(Map<String, Node> top) {
        Node node = top.get("ordering");
        if (node == null) {
            return null;
        }
        Map<String, Node> ordering = fields.mapping(node, "ordering", ORDERING_KEYS);
        boolean byLabel = "label".equals(fields.optionalText(ordering, "policy", ""));
        if (byLabel && !ordering.containsKey("label")) {
            throw fields.error(node, "ordering policy 'label' needs 'label': the node label that holds each node's rank");
        }
        if (!byLabel && ordering.containsKey("label")) {
            throw fields.error(ordering.get("label"), "'label' only applies to ordering policy 'label'");
        }
        return byLabel ? fields.requiredText(ordering, node, "label") : null;
    }

    private ProcedureRules.Artifact artifact(Node node, List<StepDefinition> steps) {
        if (node == null) {
            return null;
        }
        Map<String, Node> artifact = fields.mapping(node, "artifact", Set.of("step", "path"));
        String step = fields.requiredText(artifact, node, "step");
        if (steps.stream().noneMatch(s -> s.name().equals(step))) {
            throw fields.error(artifact.get("step"), "artifact step '" + step + "' is not one of the steps");
        }
        return new ProcedureRules.Artifact(step, fields.requiredText(artifact, node, "path"));
    }

    private ProcedureRules.Remedy remedy(Node node) {
        if (node == null) {
            return ProcedureRules.Remedy.NONE;
        }
        Map<String, Node> remedy = fields.mapping(node, "remedy", Set.of("rebootOnce", "rebootTimeout"));
        return new ProcedureRules.Remedy(fields.bool(remedy.get("rebootOnce"), false, "rebootOnce"),
                fields.duration(remedy.get("rebootTimeout"), Duration.ofMinutes(10), "rebootTimeout"));
    }

    private ProcedureRules.Guards guards(Node node) {
        if (node == null) {
            return ProcedureRules.Guards.NONE;
        }
        Map<String, Node> guards = fields.mapping(node, "guards", Set.of("lastOldNode"));
        return new ProcedureRules.Guards(fields.bool(guards.get("lastOldNode"), false, "lastOldNode"));
    }

    private ProcedureRules.MixedVersionDeadline mixedVersion(Node node) {
        if (node == null) {
            return null;
        }
        Map<String, Node> mixed = fields.mapping(node, "mixedVersion", Set.of("alertAfter", "haltAfter"));
        if (!mixed.containsKey("haltAfter")) {
            throw fields.error(node, "mixedVersion needs 'haltAfter' (and optionally 'alertAfter'), e.g. PT4H");
        }
        Duration halt = fields.duration(mixed.get("haltAfter"), null, "haltAfter");
        Duration alert = fields.duration(mixed.get("alertAfter"), halt, "alertAfter");
        if (alert.compareTo(halt) > 0) {
            throw fields.error(mixed.get("alertAfter"), "alertAfter (" + alert + ") must not be after haltAfter (" + halt + ")");
        }
        return new ProcedureRules.MixedVersionDeadline(alert, halt);
    }

    private ProcedureRules.OutOfOrderRemedy outOfOrder(Node node) {
        if (node == null) {
            return null;
        }
        Map<String, Node> remedy = fields.mapping(node, "outOfOrder", Set.of("stop", "start"));
        return new ProcedureRules.OutOfOrderRemedy(fields.requiredText(remedy, node, "stop"),
                fields.requiredText(remedy, node, "start"));
    }

    private OrderingPolicy ordering(Map<String, Node> top) {
        Node node = top.get("ordering");
        if (node == null) {
            return OrderingPolicy.INVENTORY;
        }
        Map<String, Node> ordering = fields.mapping(node, "ordering", ORDERING_KEYS);
        Node policyNode = ordering.get("policy");
        if (policyNode == null) {
            throw fields.error(node, "ordering needs a 'policy'");
        }
        String policy = fields.text(policyNode, "ordering.policy");
        return OrderingPolicy.fromYaml(policy).orElseThrow(() -> fields.error(policyNode,
                "unknown ordering policy '" + policy + "' (known: " + YamlFields.names(OrderingPolicy.values()) + ")"));
    }

    private List<CompatibilityRule> compatibility(Node node) {
        List<CompatibilityRule> rules = new ArrayList<>();
        if (node == null) {
            return rules;
        }
        for (Node item : fields.sequence(node, "compatibility")) {
            Map<String, Node> rule = fields.mapping(item, "a compatibility rule", Set.of("target", "rollingFrom"));
            String target = versionPattern(fields.requiredText(rule, item, "target"), rule.get("target"));
            List<String> from = new ArrayList<>();
            Node fromNode = rule.get("rollingFrom");
            if (fromNode == null) {
                throw fields.error(item, "compatibility rule for " + target + " needs 'rollingFrom' (a list of versions)");
            }
            for (Node version : fields.sequence(fromNode, "rollingFrom")) {
                from.add(versionPattern(fields.text(version, "rollingFrom"), version));
            }
            rules.add(new CompatibilityRule(target, from));
        }
        return rules;
    }

    private String versionPattern(String pattern, Node node) {
        String bare = pattern.endsWith(".*") ? pattern.substring(0, pattern.length() - 2) : pattern;
        if (!Versions.isValid(bare)) {
            throw fields.error(node, "'" + pattern + "' is not a version or version pattern like 5.20.1 or 5.20.*");
        }
        return pattern;
    }

    private List<StepDefinition> steps(Map<String, Node> top, Node root) {
        Node node = top.get("steps");
        if (node == null) {
            throw fields.error(root, "missing 'steps': a procedure needs at least one step");
        }
        List<Node> items = fields.sequence(node, "steps");
        if (items.isEmpty()) {
            throw fields.error(node, "'steps' is empty: a procedure needs at least one step");
        }
        List<StepDefinition> steps = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Node item : items) {
            Map<String, Node> step = fields.mapping(item, "a step", STEP_KEYS);
            String name = fields.requiredText(step, item, "name");
            if (!seen.add(name)) {
                throw fields.error(step.get("name"), "step name '" + name + "' is used twice");
            }
            String kind = fields.optionalText(step, "kind", "run");
            if (!STEP_KINDS.contains(kind)) {
                throw fields.error(step.get("kind"), "unknown step kind '" + kind + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(STEP_KINDS)) + ")");
            }
            String command = "reboot".equals(kind) ? fields.optionalText(step, "command", "reboot")
                    : fields.requiredText(step, item, "command");
            checkPlaceholders(command, step.containsKey("command") ? step.get("command") : item);
            Duration timeout = fields.duration(step.get("timeout"), DEFAULT_STEP_TIMEOUT, "timeout");
            boolean disruptive = fields.bool(step.get("disruptive"), true, "disruptive");
            String failure = fields.optionalText(step, "onFailure", "halt");
            FailureMeaning onFailure = FailureMeaning.fromYaml(failure).orElseThrow(() -> fields.error(step.get("onFailure"),
                    "unknown onFailure '" + failure + "' (known: " + YamlFields.names(FailureMeaning.values()) + ")"));
            List<StepDefinition.FailureRule> rules = failureRules(step.get("onFailureWhen"));
            int retries = step.containsKey("retries") ? fields.integer(step.get("retries"), 2, "retries") : 2;
            steps.add(new StepDefinition(name, kind, command, timeout, disruptive, onFailure, rules, retries));
        }
        return steps;
    }

    private List<StepDefinition.FailureRule> failureRules(Node node) {
        List<StepDefinition.FailureRule> rules = new ArrayList<>();
        if (node == null) {
            return rules;
        }
        for (Node item : fields.sequence(node, "onFailureWhen")) {
            Map<String, Node> rule = fields.mapping(item, "an onFailureWhen rule", Set.of("output", "meaning"));
            java.util.regex.Pattern output = fields.regex(rule, item, "output", false);
            String meaning = fields.requiredText(rule, item, "meaning");
            rules.add(new StepDefinition.FailureRule(output, FailureMeaning.fromYaml(meaning).orElseThrow(() ->
                    fields.error(rule.get("meaning"), "unknown meaning '" + meaning + "' (known: "
                            + YamlFields.names(FailureMeaning.values()) + ")"))));
        }
        return rules;
    }

    private void checkPlaceholders(String command, Node node) {
        Matcher matcher = StepDefinition.PLACEHOLDER.matcher(command);
        while (matcher.find()) {
            String placeholder = matcher.group(1);
            if (!StepDefinition.VARIABLES.contains(placeholder) && !placeholder.startsWith(StepDefinition.IF_FORCED)) {
                throw fields.error(node, "unknown variable ${" + placeholder + "} in command (known: "
                        + String.join(", ", new java.util.TreeSet<>(StepDefinition.VARIABLES)) + ", and ${"
                        + StepDefinition.IF_FORCED + "TEXT})");
            }
        }
    }

}
