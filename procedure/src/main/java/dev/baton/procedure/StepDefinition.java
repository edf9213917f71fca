package dev.baton.procedure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a procedure: a command template rendered per node by the planner.
 *
 * @param kind {@code run} or {@code reboot} (the executor's NodeCommand kinds)
 * @param command template with {@code ${variable}} placeholders, see {@link #VARIABLES}
 * @param disruptive whether the step takes the node out of service
 * @param onFailure what a failure means when no {@code failureRules} entry matches the step's output
 * @param failureRules output-specific meanings, tried in order (e.g. "a reboot will fix the problem")
 * @param retries how many more attempts a {@code retry} failure gets before the rollout halts
 */
public record StepDefinition(
        String name,
        String kind,
        String command,
        Duration timeout,
        boolean disruptive,
        FailureMeaning onFailure,
        List<FailureRule> failureRules,
        int retries) {

    public StepDefinition {
        failureRules = failureRules == null ? List.of() : List.copyOf(failureRules);
    }

    /** A failure meaning chosen by the step's output: the first rule whose pattern is found in the output wins. */
    public record FailureRule(Pattern output, FailureMeaning meaning) {
    }

    /** What this step's failure means, given what it printed. */
    public FailureMeaning meaningOf(String output) {
        String text = output == null ? "" : output;
        for (FailureRule rule : failureRules) {
            if (rule.output().matcher(text).find()) {
                return rule.meaning();
            }
        }
        return onFailure;
    }

    /** The variables a command template may use. */
    public static final java.util.Set<String> VARIABLES =
            java.util.Set.of("targetVersion", "fromVersion", "nodeName", "clusterAddress", "clusterId");

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    /** The command line for one node. Every placeholder must have a value. */
    public String render(Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(command);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for ${" + matcher.group(1) + "} in step " + name);
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
