package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Ansible inventory (INI or YAML, as {@code ansible-inventory} reads them): groups with hosts,
 * child groups and vars, and per-host vars. Numeric host ranges ({@code srv[1:5]},
 * {@code node[01:10]}) are expanded. Dynamic inventories (scripts, plugins) are not read.
 */
public final class AnsibleInventory {
    /** One group: its direct hosts, child groups and vars, in file order. */
    public record Group(String name, List<String> hosts, List<String> children, Map<String, String> vars) {
    }

    private static final Pattern RANGE = Pattern.compile("\\[([0-9]+):([0-9]+)(?::([0-9]+))?]");
    private static final Pattern SECTION = Pattern.compile("^\\[([^\\]:]+)(?::(vars|children))?]$");

    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> hostVars = new LinkedHashMap<>();

    private AnsibleInventory() {
        group("all");
        group("ungrouped");
    }

    /** Reads an inventory file; YAML if it ends in .yml/.yaml or starts like YAML, INI otherwise. */
    public static AnsibleInventory load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot read inventory " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString();
        boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".json")
                || text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst()
                .map(l -> l.equals("---") || l.matches("^[A-Za-z0-9_.-]+:\\s*(#.*)?$") || l.startsWith("{")).orElse(false);
        return yaml ? parseYaml(text, file.toString()) : parseIni(text, file.toString());
    }

    /** INI: {@code [group]} host lines with {@code key=value} vars, {@code [group:vars]}, {@code [group:children]}. */
    public static AnsibleInventory parseIni(String text, String source) {
        AnsibleInventory inventory = new AnsibleInventory();
        String section = "ungrouped";
        String kind = "hosts";
        int lineNo = 0;
        for (String raw : text.split("\\R", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                Matcher m = SECTION.matcher(line);
                if (!m.matches()) {
                    throw new CliException(ExitCode.USAGE, source + ":" + lineNo + ": not a section header: " + line);
                }
                section = m.group(1).strip();
                kind = m.group(2) == null ? "hosts" : m.group(2);
                inventory.group(section);
                continue;
            }
            List<String> tokens = tokens(line, source, lineNo);
            switch (kind) {
                case "vars" -> {
                    Map.Entry<String, String> var = keyValue(line, source, lineNo);
                    inventory.group(section).vars().put(var.getKey(), var.getValue());
                }
                case "children" -> inventory.addChild(section, tokens.get(0));
                default -> {
                    Map<String, String> vars = new LinkedHashMap<>();
                    for (String token : tokens.subList(1, tokens.size())) {
                        Map.Entry<String, String> var = keyValue(token, source, lineNo);
                        vars.put(var.getKey(), var.getValue());
                    }
                    for (String host : expand(tokens.get(0))) {
                        inventory.addHost(section, host, vars);
                    }
                }
            }
        }
        return inventory;
    }

    /** YAML: {@code all: {hosts: {h: {vars}}, vars: {...}, children: {g: {...}}}} (any top-level group). */
    public static AnsibleInventory parseYaml(String text, String source) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, source + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        AnsibleInventory inventory = new AnsibleInventory();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return inventory;
        }
        if (!root.isObject()) {
            throw new CliException(ExitCode.USAGE, source + ": a YAML inventory is a mapping of group names");
        }
        root.fields().forEachRemaining(group -> inventory.readYamlGroup(group.getKey(), group.getValue(), source, group.getKey()));
        return inventory;
    }

    private void readYamlGroup(String name, JsonNode node, String source, String path) {
        Group group = group(name);
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new CliException(ExitCode.USAGE, source + ": " + path + ": a group is a mapping with hosts, vars and children");
        }
        node.fields().forEachRemaining(entry -> {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            switch (key) {
                case "hosts" -> {
                    if (value != null && value.isObject()) {
                        value.fields().forEachRemaining(h -> {
                            Map<String, String> vars = scalars(h.getValue(), source, path + ".hosts." + h.getKey());
                            for (String host : expand(h.getKey())) {
                                addHost(name, host, vars);
                            }
                        });
                    } else if (value != null && !value.isNull()) {
                        throw new CliException(ExitCode.USAGE, source + ": " + path + ".hosts: a mapping of host names");
                    }
                }
                case "vars" -> group.vars().putAll(scalars(value, source, path + ".vars"));
                case "children" -> {
                    if (value != null && value.isObject()) {
                        value.fields().forEachRemaining(c -> {
                            addChild(name, c.getKey());
                            readYamlGroup(c.getKey(), c.getValue(), source, path + ".children." + c.getKey());
                        });
                    } else if (value != null && !value.isNull()) {
                        throw new CliException(ExitCode.USAGE, source + ": " + path + ".children: a mapping of group names");
                    }
                }
                default -> throw new CliException(ExitCode.USAGE, source + ": " + path + ": unknown key '" + key
                        + "' in a group (known: hosts, vars, children)");
            }
        });
    }

    private static Map<String, String> scalars(JsonNode node, String source, String path) {
        Map<String, String> vars = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return vars;
        }
        if (!node.isObject()) {
            throw new CliException(ExitCode.USAGE, source + ": " + path + ": vars must be a mapping");
        }
        node.fields().forEachRemaining(v -> {
            JsonNode value = v.getValue();
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(i -> items.add(i.asText()));
                vars.put(v.getKey(), String.join(",", items));
            } else if (value.isValueNode()) {
                vars.put(v.getKey(), value.isNull() ? null : value.asText());
            }
        });
        return vars;
    }

    private Group group(String name) {
        return groups.computeIfAbsent(name, n -> new Group(n, new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>()));
    }

    private void addHost(String group, String host, Map<String, String> vars) {
        List<String> hosts = group(group).hosts();
        if (!hosts.contains(host)) {
            hosts.add(host);
        }
        hostVars.computeIfAbsent(host, h -> new LinkedHashMap<>()).putAll(vars);
    }

    private void addChild(String parent, String child) {
        group(child);
        List<String> children = group(parent).children();
        if (!children.contains(child)) {
            children.add(child);
        }
    }

    /** Every group name, in file order ({@code all} and {@code ungrouped} first). */
    public Set<String> groupNames() {
        return groups.keySet();
    }

    public boolean hasGroup(String name) {
        return groups.containsKey(name);
    }

    /** The hosts of a group and of its descendants, in file order, each once; {@code all} is every host. */
    public List<String> hosts(String group) {
        if ("all".equals(group)) {
            List<String> all = new ArrayList<>(group("all").hosts());
            hostVars.keySet().forEach(h -> {
                if (!all.contains(h)) {
                    all.add(h);
                }
            });
            return all;
        }
        Set<String> hosts = new LinkedHashSet<>();
        collect(group, hosts, new HashSet<>());
        return List.copyOf(hosts);
    }

    private void collect(String group, Set<String> hosts, Set<String> seen) {
        if (!seen.add(group) || !groups.containsKey(group)) {
            return;
        }
        hosts.addAll(groups.get(group).hosts());
        for (String child : groups.get(group).children()) {
            collect(child, hosts, seen);
        }
    }

    /**
     * A host's effective vars, as Ansible merges them: {@code all}'s vars, then each group's from the
     * outermost to the innermost containing the host, then the host's own.
     */
    public Map<String, String> vars(String host) {
        Map<String, String> merged = new LinkedHashMap<>(group("all").vars());
        for (String group : groupsOf(host)) {
            merged.putAll(groups.get(group).vars());
        }
        merged.putAll(hostVars.getOrDefault(host, Map.of()));
        return merged;
    }

    /** The groups containing the host (directly or through children), outermost first; never {@code all}. */
    public List<String> groupsOf(String host) {
        Map<String, Integer> depth = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            if (!g.name().equals("all") && hosts(g.name()).contains(host)) {
                depth.put(g.name(), depth(g.name(), new HashSet<>()));
            }
        }
        List<String> ordered = new ArrayList<>(depth.keySet());
        ordered.sort((a, b) -> Integer.compare(depth.get(a), depth.get(b)));
        return ordered;
    }

    private int depth(String group, Set<String> seen) {
        if (!seen.add(group)) {
            return 0;
        }
        int max = 0;
        for (Group g : groups.values()) {
            if (g.children().contains(group)) {
                max = Math.max(max, 1 + depth(g.name(), seen));
            }
        }
        return max;
    }

    static List<String> expand(String pattern) {
        Matcher m = RANGE.matcher(pattern);
        if (!m.find()) {
            return List.of(pattern);
        }
        String from = m.group(1);
        String to = m.group(2);
        int step = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
        int width = from.startsWith("0") && from.length() > 1 ? from.length() : 0;
        List<String> hosts = new ArrayList<>();
        for (int i = Integer.parseInt(from); i <= Integer.parseInt(to); i += Math.max(1, step)) {
            String number = width > 0 ? String.format("%0" + width + "d", i) : Integer.toString(i);
            hosts.addAll(expand(pattern.substring(0, m.start()) + number + pattern.substring(m.end())));
        }
        return hosts;
    }

    private static List<String> tokens(String line, String source, int lineNo) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && current.length() == 0) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (current.length() > 0) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (quote != 0) {
            throw new CliException(ExitCode.USAGE, source + ":" + lineNo + ": unterminated quote");
        }
        if (current.length() > 0) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    private static Map.Entry<String, String> keyValue(String text, String source, int lineNo) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new CliException(ExitCode.USAGE, source + ":" + lineNo + ": expected key=value, got '" + text + "'");
        }
        String value = text.substring(eq + 1).strip();
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        }
        return Map.entry(text.substring(0, eq).strip(), value);
    }
}
