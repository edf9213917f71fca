package dev.baton.procedure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a procedure: a command template rendered per node by the planner.
 *
 * @param kind {@code run} or {@code reboot} (the executor's NodeCommand kinds)
 * @param command template with {@code ${variable}} placeholders, see {@link #VARIABLES}, and {@link #IF_FORCED}
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
    public static final Set<String> VARIABLES =
            Set.of("targetVersion", "fromVersion", "nodeName", "clusterAddress", "clusterId");

    /**
     * The conditional placeholder {@code ${ifForced:TEXT}}: TEXT when the rollout was requested with force (a
     * downgrade or a re-install, e.g. Dolphin's installer needs {@code --enforce} then), nothing otherwise.
     */
    public static final String IF_FORCED = "ifForced:";

    /** The value {@link #render} reads to decide {@code ${ifForced:...}}: "true" when the request is forced. */
    public static final String FORCED = "forced";

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    /** The command line for one node. Every placeholder must have a value ({@code forced} defaults to false). */
    public String render(Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(command);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String placeholder = matcher.group(1);
            String value = placeholder.startsWith(IF_FORCED)
                    ? ("true".equals(values.get(FORCED)) ? placeholder.substring(IF_FORCED.length()) : "")
                    : values.get(placeholder);
            if (value == null) {
                throw new IllegalArgumentException("no value for ${" + placeholder + "} in step " + name);
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
