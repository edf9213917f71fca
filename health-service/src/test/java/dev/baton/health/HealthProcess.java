package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.sandbox.fleet.SimulatedFleet;
import dev.baton.sandbox.world.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The module's packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package} before failsafe
 * runs) started by the sandbox's {@link ServiceProcess}, as a user runs it, pointed at the test's Kafka and simulated
 * fleet, with what the health tests ask of it (readiness, owned partitions, node views). Its output goes to
 * {@code <workDir>/<tag>.log}. Touches no topic itself.
 */
final class HealthProcess implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(90);
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:TieredStopAtLevel=1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String tag;
    private final ServiceProcess process;

    private HealthProcess(String tag, ServiceProcess process) {
        this.tag = tag;
        this.process = process;
    }

    /** Starts an instance whose probes carry {@code tag} in the nodes' command logs and waits until it is ready. */
    static HealthProcess start(String tag, String bootstrapServers, SimulatedFleet fleet, Path workDir,
                               Map<String, String> extraEnv) throws IOException {
        return start(tag, bootstrapServers, fleet.knownHostsFile(), fleet.clientPrivateKey(), workDir, extraEnv);
    }

    /** As above, for nodes that are not the simulated fleet's: the service's known_hosts file and private key given. */
    static HealthProcess start(String tag, String bootstrapServers, Path knownHosts, Path privateKey, Path workDir,
                               Map<String, String> extraEnv) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("BATON_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("BATON_SSH_PRIVATE_KEY", privateKey.toString());
        env.put("BATON_HEALTH_PROBE_TAG", tag);
        env.putAll(extraEnv);
        HealthProcess instance = new HealthProcess(tag, ServiceProcess.startAs(Path.of(""), tag, JVM, env, workDir, START));
        await(tag + " ready").pollInSameThread().atMost(START).untilAsserted(() -> {
            assertThat(instance.process.isAlive()).as(tag + " exited; see " + instance.process.log() + ":\n"
                    + instance.tail()).isTrue();
            assertThat(instance.ready()).as(tag + " ready").isTrue();
        });
        return instance;
    }

    String tag() {
        return tag;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(process.baseUrl() + path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    boolean ready() {
        try {
            return get("/q/health/ready").path("status").asText().equals("UP");
        } catch (Exception notYet) {
            return false;
        }
    }

    /** The partitions of baton.clusters.v1 it owns, from its readiness check. */
    Set<Integer> partitions() throws Exception {
        for (JsonNode check : get("/q/health/ready").path("checks")) {
            if (check.path("name").asText().equals("cluster-partitions")) {
                String list = check.path("data").path("partitions").asText().replaceAll("[\\[\\] ]", "");
                return list.isEmpty() ? Set.of()
                        : Arrays.stream(list.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
            }
        }
        return Set.of();
    }

    /** The REST view of one node of a cluster. */
    JsonNode nodeView(String clusterId, String nodeName) throws Exception {
        JsonNode view = get("/api/v1/health/clusters/" + clusterId);
        for (JsonNode node : view.path("nodes")) {
            if (node.path("name").asText().equals(nodeName)) {
                return node;
            }
        }
        throw new AssertionError(nodeName + " is not in the view of " + clusterId + ": " + view);
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(process.log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A test's teardown: closes each resource that was made (not null), in the order given. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    /** SIGKILL: no shutdown hook runs, the consumer group is not left. */
    void kill() {
        process.kill();
    }

    /** SIGTERM (graceful), then SIGKILL after 10 s. */
    @Override
    public void close() {
        process.close();
    }
}
