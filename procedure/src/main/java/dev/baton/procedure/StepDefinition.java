package dev.baton.procedure;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a procedure: a command template rendered per node by the planner.
 *
 * @param kind {@code run} or {@code reboot} (the executor's NodeCommand kinds)
 * @param command template with {@code ${variable}} placeholders, see {@link #VARIABLES}
 * @param disruptive whether the step takes the node out of service
 */
public record StepDefinition(
        String name,
        String kind,
        String command,
        Duration timeout,
        boolean disruptive,
        FailureMeaning onFailure) {

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
