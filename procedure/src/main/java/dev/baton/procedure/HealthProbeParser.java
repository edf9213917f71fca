package dev.baton.procedure;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates a procedure's {@code health} section into a {@link HealthProbe}:
 *
 * <pre>
 * health:
 *   command: "dis_services status"            # status command over SSH (or only a check below)
 *   activePattern: "^Node status: active$"     # required with command
 *   versionCommand: "dis_version --running"    # optional: where the running version is read instead
 *   versionPattern: "^Running version: (\S+)$" # required: group 1 = the running version
 *   check:                                     # optional, must pass too
 *     tcp: {port: 5432}                        #   or  http: {port: 8080, path: /health, expectStatus: 200}
 *   membership: {command: "...", addressPattern: "^(\S+)"}
 *   stableProbes: 3                            # good probes in a row before active
 *   stableFor: PT10S                           # optional: and the window spans at least this long
 *   interval: PT5S                             # optional overrides of the service defaults
 *   jitter: PT1S
 *   probeTimeout: PT3S
 *   timeout: PT5M                              # the planner's health timeout
 * </pre>
 */
final class HealthProbeParser {
    private static final Set<String> HEALTH_KEYS = Set.of("command", "activePattern", "versionPattern", "membership",
            "stableProbes", "timeout", "versionCommand", "check", "stableFor", "interval", "jitter", "probeTimeout",
            "sharedResource");
    private static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(5);

    private final YamlFields yaml;

    HealthProbeParser(YamlFields yaml) {
        this.yaml = yaml;
    }

    HealthProbe parse(Node node) {
        Map<String, Node> health = yaml.mapping(node, "health", HEALTH_KEYS);
        HealthProbe.Check check = health.containsKey("check") ? check(health.get("check")) : null;
        String command = null;
        Pattern active = null;
        if (check == null || health.containsKey("command")) {
            command = yaml.requiredText(health, node, "command");
            active = yaml.regex(health, node, "activePattern", false);
        } else if (health.containsKey("activePattern")) {
            throw yaml.error(health.get("activePattern"), "activePattern needs a status 'command' to match");
        }
        String versionCommand = null;
        if (health.containsKey("versionCommand")) {
            versionCommand = yaml.requiredText(health, node, "versionCommand");
        } else if (command == null) {
            throw yaml.error(node, "missing 'versionCommand': with only a check, a command must say which version runs");
        }
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
        Duration stableFor = yaml.duration(health.get("stableFor"), null, "stableFor");
        Duration interval = yaml.duration(health.get("interval"), null, "interval");
        Duration jitter = yaml.duration(health.get("jitter"), null, "jitter");
        Duration probeTimeout = yaml.duration(health.get("probeTimeout"), null, "probeTimeout");
        if (stableFor != null && stableFor.compareTo(timeout) >= 0) {
            throw yaml.error(health.get("stableFor"), "stableFor (" + stableFor + ") must be shorter than timeout ("
                    + timeout + "), or no node could ever become active in time");
        }
        if (interval != null && probeTimeout != null && probeTimeout.compareTo(interval) > 0) {
            throw yaml.error(health.get("probeTimeout"), "probeTimeout (" + probeTimeout + ") must not be longer than interval ("
                    + interval + ")");
        }
        HealthProbe.SharedResource shared = null;
        Node sharedNode = health.get("sharedResource");
        if (sharedNode != null) {
            Map<String, Node> resource = yaml.mapping(sharedNode, "health.sharedResource", Set.of("name", "command",
                    "heldPattern"));
            shared = new HealthProbe.SharedResource(yaml.requiredText(resource, sharedNode, "name"),
                    yaml.requiredText(resource, sharedNode, "command"), yaml.regex(resource, sharedNode, "heldPattern", false));
        }
        return new HealthProbe(command, active, version, membershipCommand, memberAddress, stableProbes, timeout,
                versionCommand, check, stableFor, interval, jitter, probeTimeout, shared);
    }

    private HealthProbe.Check check(Node node) {
        Map<String, Node> check = yaml.mapping(node, "health.check", Set.of("tcp", "http"));
        if (check.size() != 1) {
            throw yaml.error(node, "health.check needs exactly one of 'tcp' or 'http'");
        }
        if (check.containsKey("tcp")) {
            Node tcpNode = check.get("tcp");
            Map<String, Node> tcp = yaml.mapping(tcpNode, "health.check.tcp", Set.of("port"));
            return new HealthProbe.Check(HealthProbe.Check.Kind.TCP, port(tcp, tcpNode), null, 0);
        }
        Node httpNode = check.get("http");
        Map<String, Node> http = yaml.mapping(httpNode, "health.check.http", Set.of("port", "path", "expectStatus"));
        String path = yaml.optionalText(http, "path", "/");
        if (!path.startsWith("/")) {
            throw yaml.error(http.get("path"), "path must start with '/', got '" + path + "'");
        }
        int expect = yaml.integer(http.get("expectStatus"), 200, "expectStatus");
        if (expect < 100 || expect > 599) {
            throw yaml.error(http.get("expectStatus"), "expectStatus must be an HTTP status (100-599), got " + expect);
        }
        return new HealthProbe.Check(HealthProbe.Check.Kind.HTTP, port(http, httpNode), path, expect);
    }

    private int port(Map<String, Node> map, Node parent) {
        if (!map.containsKey("port")) {
            throw yaml.error(parent, "missing 'port'");
        }
        int port = yaml.integer(map.get("port"), 0, "port");
        if (port > 65535) {
            throw yaml.error(map.get("port"), "port must be 1-65535, got " + port);
        }
        return port;
    }
}
