package dev.baton.sandbox.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.contracts.ClusterRegistered;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated fleet as written in YAML (see {@code fleets/demo.yaml} and the sandbox README): clusters of nodes,
 * their product, versions and faults. Parsing fills in every default, so the accessors return resolved values.
 * Touches no topic; {@link SimulatedFleet#registrations()} turns it into {@code ClusterRegistered} events.
 *
 * @param sshUser the only user the nodes accept (default {@code root})
 * @param rebootDowntime how long a rebooting node is unreachable (default PT1S)
 */
public record FleetSpec(String sshUser, Duration rebootDowntime, List<Cluster> clusters) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public FleetSpec {
        sshUser = sshUser == null || sshUser.isBlank() ? "root" : sshUser;
        rebootDowntime = rebootDowntime == null ? Duration.ofSeconds(1) : rebootDowntime;
        if (rebootDowntime.isNegative()) {
            throw new IllegalArgumentException("rebootDowntime: must not be negative, got " + rebootDowntime);
        }
        if (clusters == null || clusters.isEmpty()) {
            throw new IllegalArgumentException("clusters: a fleet needs at least one cluster");
        }
        List<Cluster> resolved = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (int c = 0; c < clusters.size(); c++) {
            Cluster cluster = clusters.get(c);
            if (cluster == null) {
                throw new IllegalArgumentException("clusters[" + c + "]: empty cluster");
            }
            if (!ids.add(cluster.id())) {
                throw new IllegalArgumentException("clusters[" + c + "].id: duplicate cluster id '" + cluster.id() + "'");
            }
            Cluster withHosts = cluster.resolve(c + 1);
            for (int n = 0; n < withHosts.nodes().size(); n++) {
                Node node = withHosts.nodes().get(n);
                String endpoint = node.sshHost() + ":" + withHosts.sshPort();
                if (withHosts.sshPort() != 0 && !endpoints.add(endpoint)) {
                    throw new IllegalArgumentException("clusters[" + c + "].nodes[" + n + "].sshHost: "
                            + endpoint + " is already used by another node");
                }
            }
            resolved.add(withHosts);
        }
        clusters = List.copyOf(resolved);
    }

    /** Reads a fleet spec from a file. */
    public static FleetSpec load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new FleetSpecException("fleet spec " + file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads a fleet spec from the classpath, e.g. {@code /fleets/demo.yaml}. */
    public static FleetSpec fromClasspath(String resource) {
        String name = resource.startsWith("/") ? resource : "/" + resource;
        try (InputStream in = FleetSpec.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new FleetSpecException("fleet spec " + name + ": no such resource on the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + name);
        } catch (IOException e) {
            throw new FleetSpecException("fleet spec " + name + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Parses a fleet spec; a mistake throws {@link FleetSpecException} naming the field and, where known, the line. */
    public static FleetSpec parse(String yaml) {
        return parse(yaml, "<inline>");
    }

    static FleetSpec parse(String yaml, String source) {
        if (yaml == null || yaml.isBlank()) {
            throw new FleetSpecException("fleet spec " + source + ": is empty");
        }
        try {
            FleetSpec spec = YAML.readValue(yaml, FleetSpec.class);
            if (spec == null) {
                throw new FleetSpecException("fleet spec " + source + ": is empty");
            }
            return spec;
        } catch (JsonProcessingException e) {
            throw new FleetSpecException(describe(source, yaml, e), e);
        }
    }

    private static final Pattern FIELD_PREFIX = Pattern.compile("([A-Za-z][\\w\\[\\].]*): (.*)", Pattern.DOTALL);

    private static String describe(String source, String yaml, JsonProcessingException e) {
        StringBuilder message = new StringBuilder("fleet spec ").append(source);
        int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
        String path = e instanceof JsonMappingException mapping ? path(mapping) : "";
        String problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            problem = "unknown field '" + unknown.getPropertyName() + "' (known: "
                    + String.join(", ", unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList()) + ")";
            int declared = lineOf(yaml, unknown.getPropertyName(), line);
            line = declared > 0 ? declared : line;
        } else if (e instanceof InvalidFormatException invalid) {
            problem = "'" + invalid.getValue() + "' is not "
                    + (invalid.getTargetType() == Duration.class ? "an ISO-8601 duration (e.g. PT1S, PT0.3S)"
                    : "a valid " + invalid.getTargetType().getSimpleName());
        } else if (e.getCause() instanceof IllegalArgumentException cause && cause.getMessage() != null) {
            problem = cause.getMessage();
        } else {
            problem = firstLine(e.getOriginalMessage());
        }
        if (line > 0) {
            message.append(", line ").append(line);
        }
        message.append(": ");
        Matcher field = FIELD_PREFIX.matcher(problem);
        if (field.matches() && !path.isEmpty()) {
            String name = field.group(1);
            path = path.equals(name) || path.endsWith("." + name) ? path : path + "." + name;
            problem = field.group(2);
        }
        if (!path.isEmpty()) {
            message.append(path).append(": ");
        }
        return message.append(problem).toString();
    }

    /** The line (1-based) declaring {@code key:} nearest before {@code near}, or -1. */
    private static int lineOf(String yaml, String key, int near) {
        List<String> lines = yaml.lines().toList();
        Pattern declaration = Pattern.compile("^[\\s-]*\\{?\\s*\"?" + Pattern.quote(key) + "\"?\\s*:.*");
        int found = -1;
        for (int i = 0; i < lines.size() && (near <= 0 || i < near); i++) {
            if (declaration.matcher(lines.get(i)).matches() || lines.get(i).matches(".*[{,]\\s*" + Pattern.quote(key) + "\\s*:.*")) {
                found = i + 1;
            }
        }
        return found;
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        // Jackson appends a class-level hint in parentheses that means nothing to a fleet author.
        return line.replaceAll(" \\(class [^)]*\\)", "").replaceAll(" \\(for Object starting at[^)]*\\)", "");
    }

    /** The cluster with this id, or null. */
    public Cluster cluster(String id) {
        return clusters.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
    }

    /** The products the simulator knows. */
    public enum Product {
        MATRIX_SERVER("matrix-server"),
        DOLPHIN_EXPRESSWARE("dolphin-expressware");

        private final String id;

        Product(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static Product of(String id) {
            for (Product p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("product: '" + id + "' is not simulated (use matrix-server or dolphin-expressware)");
        }
    }

    /**
     * One cluster.
     *
     * @param procedure the procedure name registered for it (default = the product id)
     * @param version the version installed on every node that does not say otherwise
     * @param installers Dolphin: versions whose {@code Dolphin_eXpressWare-<v>.sh} sits in each node's home directory
     * @param sshPort the port every node listens on (0 = an ephemeral port per node)
     * @param applications Dolphin: applications that use the PCI Express services on every node ({@code service NAME
     *                     stop|start|status}); while one runs, {@code dis_services stop} fails
     * @param hooks the cluster's hooks, registered with it ({@code ClusterRegistered.hooks})
     */
    public record Cluster(
            String id,
            Product product,
            String procedure,
            String version,
            List<String> installers,
            int sshPort,
            List<Node> nodes,
            List<String> applications,
            ClusterRegistered.Hooks hooks) {

        /** A cluster without applications or hooks. */
        public Cluster(String id, Product product, String procedure, String version, List<String> installers, int sshPort,
                       List<Node> nodes) {
            this(id, product, procedure, version, installers, sshPort, nodes, null, null);
        }

        public Cluster {
            if (id == null || !NAME.matcher(id).matches()) {
                throw new IllegalArgumentException("id: every cluster needs an id of letters, digits, '.', '_' or '-' (got " + quoted(id)
                        + ")");
            }
            if (product == null) {
                throw new IllegalArgumentException("product: cluster '" + id + "' needs a product (matrix-server or dolphin-expressware)");
            }
            procedure = procedure == null || procedure.isBlank() ? product.id() : procedure;
            if (version != null && !Version.isValid(version)) {
                throw new IllegalArgumentException("version: cluster '" + id + "': " + quoted(version) + " is not a version (e.g. 3.5.0)");
            }
            installers = installers == null ? List.of() : List.copyOf(installers);
            applications = applications == null ? List.of() : List.copyOf(applications);
            for (String application : applications) {
                if (application == null || !NAME.matcher(application).matches()) {
                    throw new IllegalArgumentException("applications: cluster '" + id + "': " + quoted(application)
                            + " is not a name of letters, digits, '.', '_' or '-'");
                }
            }
            if (!applications.isEmpty() && product != Product.DOLPHIN_EXPRESSWARE) {
                throw new IllegalArgumentException("applications: cluster '" + id + "': only dolphin-expressware simulates"
                        + " applications that use the product");
            }
            for (String installer : installers) {
                if (!Version.isValid(installer)) {
                    throw new IllegalArgumentException("installers: cluster '" + id + "': " + quoted(installer)
                            + " is not a version (e.g. 5.21.0)");
                }
            }
            if (sshPort < 0 || sshPort > 65535) {
                throw new IllegalArgumentException("sshPort: cluster '" + id + "': " + sshPort + " is not a TCP port (0 = ephemeral)");
            }
            if (nodes == null || nodes.isEmpty()) {
                throw new IllegalArgumentException("nodes: cluster '" + id + "' needs at least one node");
            }
            Set<String> names = new HashSet<>();
            for (int n = 0; n < nodes.size(); n++) {
                Node node = nodes.get(n);
                if (node == null) {
                    throw new IllegalArgumentException("nodes[" + n + "]: cluster '" + id + "' has an empty node entry");
                }
                if (!names.add(node.name())) {
                    throw new IllegalArgumentException("nodes[" + n + "].name: cluster '" + id + "' has two nodes named '" + node.name()
                            + "'");
                }
                if (node.version() == null && version == null) {
                    throw new IllegalArgumentException("version: cluster '" + id + "': node '" + node.name()
                            + "' has no version; set 'version' on the cluster or on the node");
                }
            }
            nodes = List.copyOf(nodes);
        }

        /** This cluster with every node default filled in; {@code index} is the 1-based position in the fleet. */
        Cluster resolve(int index) {
            List<Node> resolved = new ArrayList<>();
            for (int n = 0; n < nodes.size(); n++) {
                resolved.add(nodes.get(n).resolve("127.77." + index + "." + (n + 1), version));
            }
            return new Cluster(id, product, procedure, version, installers, sshPort, resolved, applications, hooks);
        }

        /** The node with this name, or null. */
        public Node node(String name) {
            return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * One node.
     *
     * @param sshHost the loopback address its SSH server binds (default 127.77.C.N)
     * @param clusterAddress the address the cluster itself knows the node by (default = sshHost)
     * @param addresses all its network interfaces (default = [clusterAddress])
     * @param version the version installed on it (default = the cluster's)
     */
    public record Node(
            String name,
            String sshHost,
            String clusterAddress,
            List<String> addresses,
            String arch,
            String os,
            String version,
            Faults faults) {

        public Node {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: every node needs a name of letters, digits, '.', '_' or '-' (got " + quoted(name)
                        + ")");
            }
            if (sshHost != null && !isLoopbackV4(sshHost)) {
                throw new IllegalArgumentException("sshHost: node '" + name + "': " + quoted(sshHost)
                        + " is not an IPv4 loopback address (127.x.y.z); the simulated nodes listen on loopback only");
            }
            if (clusterAddress != null && !IPV4.matcher(clusterAddress).matches()) {
                throw new IllegalArgumentException("clusterAddress: node '" + name + "': " + quoted(clusterAddress)
                        + " is not an IPv4 address");
            }
            addresses = addresses == null ? List.of() : List.copyOf(addresses);
            arch = arch == null || arch.isBlank() ? "x86_64" : arch;
            os = os == null || os.isBlank() ? "rhel-9" : os;
            if (version != null && !Version.isValid(version)) {
                throw new IllegalArgumentException("version: node '" + name + "': " + quoted(version) + " is not a version (e.g. 3.5.0)");
            }
            faults = faults == null ? new Faults() : faults;
        }

        Node resolve(String defaultHost, String clusterVersion) {
            String host = sshHost == null ? defaultHost : sshHost;
            String address = clusterAddress == null ? host : clusterAddress;
            List<String> interfaces = addresses.isEmpty() ? List.of(address) : addresses;
            return new Node(name, host, address, interfaces, arch, os, version == null ? clusterVersion : version, faults);
        }
    }

    private static boolean isLoopbackV4(String host) {
        var m = IPV4.matcher(host);
        if (!m.matches() || !m.group(1).equals("127")) {
            return false;
        }
        for (int i = 2; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }
}
