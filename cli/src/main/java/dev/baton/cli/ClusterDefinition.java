package dev.baton.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.contracts.ClusterRegistered;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns what a user has (a cluster file in the {@code ClusterRegistered} shape, YAML or JSON, or an
 * Ansible inventory) into a checked {@link ClusterRegistered}. Only connection facts and explicit
 * {@code baton_*} variables are taken from an inventory: passwords and other Ansible variables are
 * never copied.
 */
public final class ClusterDefinition {
    /** Inventory variables Baton understands (anything else is ignored, secrets included). */
    static final List<String> HOST_VARS = List.of("ansible_host", "ansible_port", "ansible_user", "ansible_ssh_host",
            "ansible_ssh_port", "ansible_ssh_user", "baton_cluster_address", "baton_addresses", "baton_arch",
            "baton_os", "baton_label_<name>");

    private static final ObjectMapper FILE = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new JavaTimeModule()) // hook time-outs, like PT2M
            .build();

    private ClusterDefinition() {
    }

    /** Reads a cluster file (YAML or JSON: clusterId, product, procedure, executorPool, nodes[...]). */
    public static ClusterRegistered load(Path file) {
        ClusterRegistered cluster;
        try {
            cluster = FILE.readValue(Files.readString(file), ClusterRegistered.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining()).replaceFirst("^\\.", "");
            String problem = e instanceof UnrecognizedPropertyException unknown
                    ? "unknown field (known: " + unknown.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")) + ")"
                    : e.getOriginalMessage().lines().findFirst().orElse("");
            throw new CliException(ExitCode.USAGE, file + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (cluster == null) {
            throw new CliException(ExitCode.USAGE, file + ": empty cluster file");
        }
        return check(withDefaults(cluster), file.toString());
    }

    /** The cluster made of an inventory group's hosts (all hosts for {@code all}). */
    public static ClusterRegistered fromInventory(AnsibleInventory inventory, String group, String clusterId, String product,
                                                  String procedure, String defaultUser, String source) {
        if (!inventory.hasGroup(group)) {
            throw new CliException(ExitCode.USAGE, source + ": no group '" + group + "' (groups: "
                    + String.join(", ", inventory.groupNames()) + ")");
        }
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (String host : inventory.hosts(group)) {
            Map<String, String> vars = inventory.vars(host);
            String sshHost = first(vars, "ansible_host", "ansible_ssh_host");
            String port = first(vars, "ansible_port", "ansible_ssh_port");
            String user = first(vars, "ansible_user", "ansible_ssh_user");
            int sshPort;
            try {
                sshPort = port == null ? 22 : Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                throw new CliException(ExitCode.USAGE, source + ": host " + host + ": ansible_port '" + port + "' is not a number");
            }
            List<String> addresses = vars.get("baton_addresses") == null ? List.of()
                    : Arrays.stream(vars.get("baton_addresses").split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
            Map<String, String> labels = new LinkedHashMap<>();
            vars.forEach((k, v) -> {
                if (k.startsWith("baton_label_") && v != null) {
                    labels.put(k.substring("baton_label_".length()), v);
                }
            });
            List<String> groups = inventory.groupsOf(host).stream().filter(g -> !g.equals("ungrouped")).toList();
            if (!groups.isEmpty()) {
                labels.putIfAbsent("ansible_groups", String.join(",", groups));
            }
            nodes.add(new ClusterRegistered.Node(host, sshHost == null ? host : sshHost, sshPort,
                    user == null ? defaultUser : user, vars.get("baton_cluster_address"), addresses,
                    vars.get("baton_arch"), vars.get("baton_os"), labels));
        }
        if (nodes.isEmpty()) {
            throw new CliException(ExitCode.USAGE, source + ": group '" + group + "' has no hosts");
        }
        return check(new ClusterRegistered(clusterId, product, procedure == null ? product : procedure, null, nodes), source);
    }

    private static String first(Map<String, String> vars, String... keys) {
        for (String key : keys) {
            String value = vars.get(key);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    private static ClusterRegistered withDefaults(ClusterRegistered cluster) {
        List<ClusterRegistered.Node> nodes = cluster.nodes().stream().map(n -> n == null ? null : new ClusterRegistered.Node(
                n.name(), n.sshHost() == null ? n.name() : n.sshHost(), n.sshPort() == 0 ? 22 : n.sshPort(), n.sshUser(),
                n.clusterAddress(), n.addresses(), n.arch(), n.os(), n.labels())).toList();
        // the procedure is named after the product unless the file says otherwise
        String procedure = cluster.procedure() == null || cluster.procedure().isBlank() ? cluster.product() : cluster.procedure();
        return new ClusterRegistered(cluster.clusterId(), cluster.product(), procedure, cluster.executorPool(), nodes,
                cluster.hooks());
    }

    /** Fails with the first problem a planner would reject: missing ids, no nodes, duplicate names, bad ports. */
    static ClusterRegistered check(ClusterRegistered cluster, String source) {
        if (blank(cluster.clusterId())) {
            throw new CliException(ExitCode.USAGE, source + ": clusterId is required");
        }
        if (blank(cluster.product())) {
            throw new CliException(ExitCode.USAGE, source + ": product is required (e.g. matrix-server, dolphin-expressware)");
        }
        if (cluster.nodes().isEmpty()) {
            throw new CliException(ExitCode.USAGE, source + ": nodes: a cluster needs at least one node");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            ClusterRegistered.Node node = cluster.nodes().get(i);
            if (node == null || blank(node.name())) {
                throw new CliException(ExitCode.USAGE, source + ": nodes[" + i + "].name is required");
            }
            if (!names.add(node.name())) {
                throw new CliException(ExitCode.USAGE, source + ": nodes[" + i + "].name: '" + node.name() + "' appears twice");
            }
            if (node.sshPort() < 1 || node.sshPort() > 65535) {
                throw new CliException(ExitCode.USAGE, source + ": nodes[" + i + "].sshPort: " + node.sshPort() + " is not a port");
            }
        }
        if (cluster.hooks() != null) {
            checkHook(cluster.hooks().beforeDisruption(), "hooks.beforeDisruption", source);
            checkHook(cluster.hooks().afterActive(), "hooks.afterActive", source);
        }
        return cluster;
    }

    private static void checkHook(ClusterRegistered.Hook hook, String field, String source) {
        if (hook == null) {
            return;
        }
        if (blank(hook.command())) {
            throw new CliException(ExitCode.USAGE, source + ": " + field + ".command is required (the command line run on"
                    + " the node)");
        }
        if (hook.onFailure() != null && !hook.onFailure().equals("halt") && !hook.onFailure().equals("continue")) {
            throw new CliException(ExitCode.USAGE, source + ": " + field + ".onFailure must be halt or continue, not '"
                    + hook.onFailure() + "'");
        }
        if (hook.timeout() != null && (hook.timeout().isNegative() || hook.timeout().isZero())) {
            throw new CliException(ExitCode.USAGE, source + ": " + field + ".timeout must be positive");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
