package dev.baton.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.baton.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Compose and Kubernetes files parse, every environment variable they give a Baton service
 * is a config key that service really reads, every Baton image is one the build produces, every
 * topic a service names is created, the executor scaling rule watches the executor's own
 * consumer group and topic, and every service is probed on its SmallRye Health endpoints
 * ({@code /q/health/ready}, {@code /q/health/live}).
 */
class DeployManifestsTest {
    static final Path ROOT = Path.of(System.getProperty("baton.repo.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final List<String> SERVICES = List.of("planner-service", "executor-service", "health-service", "audit-service");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern IMAGE = Pattern.compile("^baton/([a-z-]+):(.+)$");
    static final String READY = "/q/health/ready";
    static final String LIVE = "/q/health/live";

    /** One container of a Baton service as a deploy file declares it. */
    record Container(String file, String image, Set<String> env) {
        String module() {
            Matcher m = IMAGE.matcher(image);
            return m.matches() ? m.group(1) : null;
        }
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    static List<Path> files(String dir) throws IOException {
        try (Stream<Path> files = Files.list(DEPLOY.resolve(dir))) {
            return files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    /** Every container with a baton/* image in the Compose file and the Kubernetes workloads (env + envFrom ConfigMaps). */
    static List<Container> batonContainers() throws IOException {
        List<Container> containers = new ArrayList<>();
        for (Path file : files("compose")) {
            for (JsonNode doc : documents(file)) {
                doc.path("services").fields().forEachRemaining(service -> {
                    String image = service.getValue().path("image").asText("");
                    if (image.startsWith("baton/")) {
                        Set<String> env = new LinkedHashSet<>();
                        JsonNode environment = service.getValue().path("environment");
                        if (environment.isArray()) {
                            environment.forEach(e -> env.add(e.asText().split("=", 2)[0]));
                        } else {
                            environment.fieldNames().forEachRemaining(env::add);
                        }
                        containers.add(new Container(DEPLOY.relativize(file) + " " + service.getKey(), image, env));
                    }
                });
            }
        }
        Map<String, Set<String>> configMaps = new LinkedHashMap<>();
        List<JsonNode> k8s = new ArrayList<>();
        for (Path file : files("kubernetes")) {
            for (JsonNode doc : documents(file)) {
                k8s.add(doc);
                if ("ConfigMap".equals(doc.path("kind").asText())) {
                    Set<String> keys = new LinkedHashSet<>();
                    doc.path("data").fieldNames().forEachRemaining(keys::add);
                    configMaps.put(doc.path("metadata").path("name").asText(), keys);
                }
            }
        }
        for (JsonNode doc : k8s) {
            for (JsonNode container : doc.path("spec").path("template").path("spec").path("containers")) {
                String image = container.path("image").asText("");
                if (!image.startsWith("baton/")) {
                    continue;
                }
                Set<String> env = new LinkedHashSet<>();
                container.path("env").forEach(e -> env.add(e.path("name").asText()));
                container.path("envFrom").forEach(from -> {
                    String name = from.path("configMapRef").path("name").asText(null);
                    assertThat(configMaps).as("ConfigMap %s used by %s", name, image).containsKey(name);
                    env.addAll(configMaps.get(name));
                });
                containers.add(new Container("kubernetes " + doc.path("kind").asText() + "/"
                        + doc.path("metadata").path("name").asText(), image, env));
            }
        }
        return containers;
    }

    @Test
    void everyFileParses() throws IOException {
        assertThat(files("compose")).isNotEmpty();
        assertThat(files("kubernetes")).isNotEmpty();
        for (Path file : files("kubernetes")) {
            for (JsonNode doc : documents(file)) {
                assertThat(doc.path("apiVersion").asText()).as("apiVersion in %s", file).isNotEmpty();
                assertThat(doc.path("kind").asText()).as("kind in %s", file).isNotEmpty();
            }
        }
    }

    @Test
    void eachServiceIsDeployedByComposeAndKubernetes() throws IOException {
        List<Container> containers = batonContainers();
        assertThat(containers.stream().filter(c -> c.file().startsWith("compose")).map(Container::module))
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        assertThat(containers.stream().filter(c -> c.file().startsWith("kubernetes")).map(Container::module))
                .containsExactlyInAnyOrderElementsOf(SERVICES);
    }

    @Test
    void everyVariableGivenToAServiceIsAConfigKeyItReads() throws IOException {
        Map<String, ServiceConfig> configs = new LinkedHashMap<>();
        SERVICES.forEach(s -> configs.put(s, ServiceConfig.of(ROOT, s)));
        List<String> unknown = new ArrayList<>();
        for (Container container : batonContainers()) {
            ServiceConfig config = configs.get(container.module());
            assertThat(config).as("%s runs %s, which is not a Baton service", container.file(), container.image()).isNotNull();
            for (String variable : container.env()) {
                if (config.reason(variable) == null) {
                    unknown.add(container.file() + ": " + variable);
                }
            }
        }
        assertThat(unknown).as("variables no service reads").isEmpty();
    }

    @Test
    void theCheckRejectsAKeyNoServiceReads() {
        ServiceConfig executor = ServiceConfig.of(ROOT, "executor-service");
        assertThat(executor.reason("BATON_SSH_KNOWN_HOSTS")).isNotNull();
        assertThat(executor.reason("BATON_EXECUTOR_CONCURRENCY")).isNotNull();
        assertThat(executor.reason("KAFKA_SASL_JAAS_CONFIG")).isNotNull();
        assertThat(executor.reason("BATON_SSH_KNOWN_HOST")).isNull();
        assertThat(executor.reason("BATON_HEALTH_INTERVAL")).isNull();
        assertThat(executor.reason("KAFKA_BOOTSTRAP_SERVER")).isNull();
        assertThat(executor.reason("QUARKUS_DATASOURCE_JDBC_URLS")).isNull();
    }

    @Test
    void imagesAreTheOnesTheBuildProduces() throws IOException {
        String version = projectVersion();
        for (Container container : batonContainers()) {
            Matcher m = IMAGE.matcher(container.image());
            assertThat(m.matches()).as("%s: image %s", container.file(), container.image()).isTrue();
            ServiceConfig config = ServiceConfig.of(ROOT, m.group(1));
            // Jib (quarkus-container-image-jib) names the image <group>/<quarkus.application.name>:<project version>
            assertThat(m.group(1)).as("%s: image name", container.file()).isEqualTo(config.resolved("quarkus.application.name"));
            assertThat(m.group(2)).as("%s: image tag", container.file()).isEqualTo(version);
        }
    }

    @Test
    void everyTopicAServiceNamesIsCreatedWithTheSamePartitionCount() throws IOException {
        Set<String> named = new LinkedHashSet<>(Topics.ALL);
        SERVICES.forEach(s -> named.addAll(ServiceConfig.of(ROOT, s).topics()));

        Map<String, JsonNode> kafkaTopics = new LinkedHashMap<>();
        for (JsonNode doc : documents(DEPLOY.resolve("kubernetes/kafka.yaml"))) {
            if ("KafkaTopic".equals(doc.path("kind").asText())) {
                kafkaTopics.put(doc.path("metadata").path("name").asText(), doc);
            }
        }
        assertThat(kafkaTopics.keySet()).containsExactlyInAnyOrderElementsOf(named);
        assertThat(kafkaTopics.values().stream().map(t -> t.path("spec").path("partitions").asInt()).distinct()).hasSize(1);
        for (String compacted : Topics.COMPACTED) {
            assertThat(kafkaTopics.get(compacted).path("spec").path("config").path("cleanup.policy").asText())
                    .as("%s is compacted", compacted).isEqualTo("compact");
        }

        String compose = Files.readString(DEPLOY.resolve("compose/docker-compose.yml"));
        for (String topic : named) {
            assertThat(compose).as("compose creates %s", topic).contains(topic);
        }
    }

    /** Every Kubernetes workload (Deployment, StatefulSet, ...) container that runs a Baton image, with its file and name. */
    static Map<String, JsonNode> kubernetesBatonContainers() throws IOException {
        Map<String, JsonNode> containers = new LinkedHashMap<>();
        for (Path file : files("kubernetes")) {
            for (JsonNode doc : documents(file)) {
                for (JsonNode container : doc.path("spec").path("template").path("spec").path("containers")) {
                    if (container.path("image").asText("").startsWith("baton/")) {
                        containers.put(DEPLOY.relativize(file) + " " + doc.path("kind").asText() + "/"
                                + doc.path("metadata").path("name").asText(), container);
                    }
                }
            }
        }
        return containers;
    }

    /**
     * What is wrong with a container's probes: readiness must GET {@value #READY}, liveness {@value #LIVE}, both on a
     * port the container declares (by name or number); a startup probe, if any, must not use readiness (a service
     * started while Kafka is away would be killed instead of waited for).
     */
    static List<String> probeProblems(JsonNode container) {
        List<String> problems = new ArrayList<>();
        Set<String> ports = new LinkedHashSet<>();
        container.path("ports").forEach(port -> {
            ports.add(port.path("name").asText());
            ports.add(port.path("containerPort").asText());
        });
        for (Map.Entry<String, String> expected : Map.of("readinessProbe", READY, "livenessProbe", LIVE).entrySet()) {
            JsonNode probe = container.path(expected.getKey());
            JsonNode get = probe.path("httpGet");
            if (probe.isMissingNode()) {
                problems.add("no " + expected.getKey());
            } else if (!expected.getValue().equals(get.path("path").asText())) {
                problems.add(expected.getKey() + " does not GET " + expected.getValue() + ": " + probe);
            } else if (!ports.contains(get.path("port").asText())) {
                problems.add(expected.getKey() + " uses port " + get.path("port") + ", not one of " + ports);
            }
        }
        JsonNode startup = container.path("startupProbe");
        if (!startup.isMissingNode() && READY.equals(startup.path("httpGet").path("path").asText())) {
            problems.add("startupProbe uses " + READY + ": a service started while Kafka is away would be restarted");
        }
        return problems;
    }

    @Test
    void everyServiceOnKubernetesIsProbedOnItsHealthEndpoints() throws IOException {
        Map<String, JsonNode> containers = kubernetesBatonContainers();
        assertThat(containers.values().stream().map(c -> IMAGE.matcher(c.path("image").asText()))
                .filter(Matcher::matches).map(m -> m.group(1))).containsExactlyInAnyOrderElementsOf(SERVICES);
        Map<String, List<String>> problems = new LinkedHashMap<>();
        containers.forEach((where, container) -> {
            List<String> found = probeProblems(container);
            if (!found.isEmpty()) {
                problems.put(where, found);
            }
        });
        assertThat(problems).as("containers whose probes are not /q/health/ready and /q/health/live").isEmpty();
    }

    @Test
    void theProbeCheckRejectsAPortOnlyReadinessAndAMissingLiveness() throws IOException {
        JsonNode portOnly = YAML.readTree("""
                ports: [{name: http, containerPort: 8081}]
                readinessProbe: {tcpSocket: {port: http}}
                """);
        assertThat(probeProblems(portOnly)).hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("readinessProbe does not GET /q/health/ready"))
                .anySatisfy(p -> assertThat(p).isEqualTo("no livenessProbe"));
        JsonNode wrongPort = YAML.readTree("""
                ports: [{name: http, containerPort: 8081}]
                readinessProbe: {httpGet: {path: /q/health/ready, port: 9000}}
                livenessProbe: {httpGet: {path: /q/health/live, port: http}}
                startupProbe: {httpGet: {path: /q/health/ready, port: http}}
                """);
        assertThat(probeProblems(wrongPort)).hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("readinessProbe uses port 9000"))
                .anySatisfy(p -> assertThat(p).startsWith("startupProbe uses /q/health/ready"));
    }

    @Test
    void everyServiceInComposeHasAHealthcheckOnItsOwnReadinessEndpoint() throws IOException {
        for (JsonNode doc : documents(DEPLOY.resolve("compose/docker-compose.yml"))) {
            doc.path("services").fields().forEachRemaining(service -> {
                Matcher image = IMAGE.matcher(service.getValue().path("image").asText(""));
                if (!image.matches()) {
                    return;
                }
                String port = ServiceConfig.of(ROOT, image.group(1)).resolved("quarkus.http.port");
                List<String> test = new ArrayList<>();
                service.getValue().path("healthcheck").path("test").forEach(word -> test.add(word.asText()));
                assertThat(test).as("compose %s healthcheck", service.getKey())
                        .contains("http://localhost:" + port + READY);
            });
        }
    }

    @Test
    void executorsScaleOnTheLagOfTheirOwnConsumerGroupAndTopic() throws IOException {
        ServiceConfig executor = ServiceConfig.of(ROOT, "executor-service");
        JsonNode scaledObject = documents(DEPLOY.resolve("kubernetes/executor-scaledobject.yaml")).stream()
                .filter(d -> "ScaledObject".equals(d.path("kind").asText())).findFirst().orElseThrow();
        JsonNode trigger = scaledObject.path("spec").path("triggers").get(0);

        assertThat(trigger.path("type").asText()).isEqualTo("kafka");
        assertThat(trigger.path("metadata").path("consumerGroup").asText())
                .isEqualTo(executor.resolved("mp.messaging.incoming.commands.group.id"));
        assertThat(trigger.path("metadata").path("topic").asText())
                .isEqualTo(executor.resolved("mp.messaging.incoming.commands.topic"));
        assertThat(scaledObject.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("executor");
    }

    @Test
    void thePlannerAndHealthReadOneProceduresFolderThatComposeAndKubernetesMountWhereTheVariableSays() throws IOException {
        List<String> readers = List.of("planner-service", "health-service");
        for (String module : SERVICES) {
            assertThat(ServiceConfig.of(ROOT, module).reason("BATON_PROCEDURES_DIR")).as(module)
                    .matches(reason -> readers.contains(module) == (reason != null));
        }
        Map<String, String> composeImages = new LinkedHashMap<>();
        for (JsonNode doc : documents(DEPLOY.resolve("compose/docker-compose.yml"))) {
            doc.path("services").fields().forEachRemaining(service -> {
                String module = IMAGE.matcher(service.getValue().path("image").asText("")).replaceFirst("$1");
                String dir = service.getValue().path("environment").path("BATON_PROCEDURES_DIR").asText(null);
                if (!readers.contains(module)) {
                    return;
                }
                assertThat(dir).as("compose %s: BATON_PROCEDURES_DIR", service.getKey()).isNotBlank();
                List<String> targets = new ArrayList<>();
                service.getValue().path("volumes").forEach(v -> targets.add(v.asText().split(":")[1]));
                assertThat(targets).as("compose %s mounts its procedures folder", service.getKey()).contains(dir);
                composeImages.put(module, dir);
            });
        }
        assertThat(composeImages.keySet()).containsExactlyInAnyOrderElementsOf(readers);
        assertThat(Files.isDirectory(DEPLOY.resolve("compose/procedures"))).as("the folder Compose mounts exists").isTrue();

        List<JsonNode> docs = new ArrayList<>();
        for (Path file : files("kubernetes")) {
            docs.addAll(documents(file));
        }
        Set<String> configMaps = new LinkedHashSet<>();
        docs.stream().filter(d -> "ConfigMap".equals(d.path("kind").asText()))
                .forEach(d -> configMaps.add(d.path("metadata").path("name").asText()));
        Set<String> checked = new LinkedHashSet<>();
        for (JsonNode workload : docs) {
            JsonNode pod = workload.path("spec").path("template").path("spec");
            for (JsonNode container : pod.path("containers")) {
                String module = IMAGE.matcher(container.path("image").asText("")).replaceFirst("$1");
                if (!readers.contains(module)) {
                    continue;
                }
                String dir = null;
                for (JsonNode env : container.path("env")) {
                    dir = env.path("name").asText().equals("BATON_PROCEDURES_DIR") ? env.path("value").asText() : dir;
                }
                assertThat(dir).as("kubernetes %s: BATON_PROCEDURES_DIR", module).isNotBlank();
                String volume = null;
                for (JsonNode mount : container.path("volumeMounts")) {
                    volume = mount.path("mountPath").asText().equals(dir) ? mount.path("name").asText() : volume;
                }
                assertThat(volume).as("kubernetes %s mounts %s", module, dir).isNotNull();
                String configMap = null;
                for (JsonNode v : pod.path("volumes")) {
                    configMap = v.path("name").asText().equals(volume) ? v.path("configMap").path("name").asText(null) : configMap;
                }
                assertThat(configMap).as("kubernetes %s: the %s volume is a ConfigMap", module, volume).isNotNull();
                assertThat(configMaps).as("the ConfigMap %s is declared", configMap).contains(configMap);
                checked.add(module);
            }
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(readers);
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>baton-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
