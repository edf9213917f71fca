package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.sandbox.fleet.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The module's packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package} before failsafe
 * runs) as a separate process, as a user runs it, pointed at the test's Kafka and simulated fleet. Its output goes to
 * {@code <workDir>/<tag>.log}. Touches no topic itself.
 */
final class HealthProcess implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String tag;
    private final Process process;
    private final int port;
    private final Path log;

    private HealthProcess(String tag, Process process, int port, Path log) {
        this.tag = tag;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts an instance whose probes carry {@code tag} in the nodes' command logs and waits until it is ready. */
    static HealthProcess start(String tag, String bootstrapServers, SimulatedFleet fleet, Path workDir,
                               Map<String, String> extraEnv) throws IOException {
        return start(tag, bootstrapServers, fleet.knownHostsFile(), fleet.clientPrivateKey(), workDir, extraEnv);
    }

    /** As above, for nodes that are not the simulated fleet's: the service's known_hosts file and private key given. */
    static HealthProcess start(String tag, String bootstrapServers, Path knownHosts, Path privateKey, Path workDir,
                               Map<String, String> extraEnv) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("the packaged service (failsafe runs after package)").isRegularFile();
        int port = freePort();
        Path log = workDir.resolve(tag + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("BATON_SSH_KNOWN_HOSTS", knownHosts.toString());
        env.put("BATON_SSH_PRIVATE_KEY", privateKey.toString());
        env.put("BATON_HEALTH_PROBE_TAG", tag);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.putAll(extraEnv);
        HealthProcess instance = new HealthProcess(tag, builder.start(), port, log);
        await(tag + " ready").pollInSameThread().atMost(START).untilAsserted(() -> {
            assertThat(instance.process.isAlive()).as(tag + " exited; see " + log + ":\n" + instance.tail()).isTrue();
            assertThat(instance.ready()).as(tag + " ready").isTrue();
        });
        return instance;
    }

    String tag() {
        return tag;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
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
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** SIGKILL: no shutdown hook runs, the consumer group is not left. */
    void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM (graceful), then SIGKILL after 10 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
