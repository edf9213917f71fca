package dev.baton.procedure;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/** Reads and validates a procedure's {@code health} section into a {@link HealthProbe}. */
final class HealthProbeParser {
    private static final Set<String> HEALTH_KEYS = Set.of("command", "activePattern", "versionPattern", "membership",
            "stableProbes", "timeout");
    private static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(5);

    private final YamlFields yaml;

    HealthProbeParser(YamlFields yaml) {
        this.yaml = yaml;
    }

    HealthProbe parse(Node node) {
        Map<String, Node> health = yaml.mapping(node, "health", HEALTH_KEYS);
        String command = yaml.requiredText(health, node, "command");
        Pattern active = yaml.regex(health, node, "activePattern", false);
        Pattern version = yaml.regex(health, node, "versionPattern", true);
        String membershipCommand = null;
        Pattern memberAddress = null;
        Node membershipNode = health.get("membership");
        if (membershipNode != null) {
            Map<String, Node> membership = yaml.mapping(membershipNode, "health.membership", Set.of("command", "addressPattern"));
            membershipCommand = yaml.requiredText(membership, membershipNode, "command");
            memberAddress = yaml.regex(membership, membershipNode, "addressPattern", true);
        }
        int stableProbes = yaml.integer(health.get("stableProbes"), 3, "stableProbes");
        Duration timeout = yaml.duration(health.get("timeout"), DEFAULT_HEALTH_TIMEOUT, "timeout");
        return new HealthProbe(command, active, version, membershipCommand, memberAddress, stableProbes, timeout);
    }
}
