package dev.baton.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What one service really reads, taken from its sources: the keys of its
 * {@code application.properties} (any profile), the keys of its {@code @ConfigMapping}
 * interfaces (prefix plus the kebab-case of each method), the Kafka client settings SmallRye
 * passes to every channel ({@code kafka.*}), and the few Quarkus keys the deploy files document.
 * Environment variables are compared in their MicroProfile form ({@code a.b-c} is {@code A_B_C}).
 */
final class ServiceConfig {
    /** Quarkus keys the deploy README documents that no application.properties sets. */
    static final List<String> QUARKUS_KEYS = List.of("quarkus.http.port", "quarkus.http.host", "quarkus.log.level",
            "quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.password");

    private static final Pattern DEPENDENCY = Pattern.compile("<artifactId>([\\w-]+)</artifactId>");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern METHOD = Pattern.compile("^\\s*[\\w.<>, ?\\[\\]]+\\s+(\\w+)\\(\\)\\s*;", Pattern.MULTILINE);

    final String module;
    final Properties properties = new Properties();
    final Set<String> propertyEnvNames = new LinkedHashSet<>();
    final Map<String, Set<String>> mappings = new LinkedHashMap<>();

    private ServiceConfig(String module) {
        this.module = module;
    }

    static ServiceConfig of(Path repoRoot, String module) {
        ServiceConfig config = new ServiceConfig(module);
        Path props = repoRoot.resolve(module).resolve("src/main/resources/application.properties");
        try (var reader = Files.newBufferedReader(props)) {
            config.properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : config.properties.stringPropertyNames()) {
            config.propertyEnvNames.add(env(key.replaceFirst("^%[\\w-]+\\.", "")));
        }
        for (Path sourceRoot : sourceRoots(repoRoot, module)) {
            config.readMappings(sourceRoot);
        }
        return config;
    }

    /**
     * The module's own sources and those of the repository's modules it depends on: a mapping such as the ssh
     * module's {@code SshConfig} is read by every service that depends on it.
     */
    private static List<Path> sourceRoots(Path repoRoot, String module) {
        List<Path> roots = new ArrayList<>(List.of(repoRoot.resolve(module).resolve("src/main/java")));
        try {
            Matcher dependency = DEPENDENCY.matcher(Files.readString(repoRoot.resolve(module).resolve("pom.xml")));
            while (dependency.find()) {
                Path sibling = repoRoot.resolve(dependency.group(1)).resolve("src/main/java");
                if (!dependency.group(1).equals(module) && Files.isDirectory(sibling)) {
                    roots.add(sibling);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return roots;
    }

    private void readMappings(Path sourceRoot) {
        try (Stream<Path> sources = Files.walk(sourceRoot)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(source);
                Matcher m = MAPPING.matcher(text);
                if (m.find()) {
                    Set<String> segments = mappings.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>());
                    Matcher method = METHOD.matcher(text);
                    while (method.find()) {
                        segments.add(kebab(method.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why the variable is read by this service, or null if it is not. */
    String reason(String variable) {
        if (propertyEnvNames.contains(variable)) {
            return "application.properties";
        }
        for (Map.Entry<String, Set<String>> mapping : mappings.entrySet()) {
            String prefix = env(mapping.getKey()) + "_";
            if (variable.startsWith(prefix) && segmentsMatch(variable.substring(prefix.length()), mapping.getValue())) {
                return "@ConfigMapping(prefix = \"" + mapping.getKey() + "\")";
            }
        }
        if (variable.startsWith("KAFKA_") && kafkaClientKeys().contains(variable)) {
            return "Kafka client setting (kafka.* is passed to every SmallRye Kafka channel)";
        }
        if (QUARKUS_KEYS.stream().map(ServiceConfig::env).anyMatch(variable::equals)) {
            return "documented Quarkus key";
        }
        return null;
    }

    /** The remainder is one or more mapping segments joined by '_' (nested groups). */
    private static boolean segmentsMatch(String rest, Set<String> segments) {
        if (rest.isEmpty()) {
            return false;
        }
        for (String segment : segments) {
            String name = env(segment);
            if (rest.equals(name) || rest.startsWith(name + "_") && segmentsMatch(rest.substring(name.length() + 1), segments)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> kafkaClientKeys() {
        Set<String> keys = new LinkedHashSet<>();
        List<Set<String>> names = new ArrayList<>();
        names.add(ConsumerConfig.configNames());
        names.add(ProducerConfig.configNames());
        names.add(AdminClientConfig.configNames());
        names.forEach(set -> set.forEach(k -> keys.add(env("kafka." + k))));
        return keys;
    }

    /** A property's name as an environment variable (MicroProfile Config rule 3). */
    static String env(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** A property value with {@code ${name:default}} references resolved to their defaults or other properties. */
    String resolved(String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            return null;
        }
        Matcher m = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String other = properties.getProperty(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(other != null ? other : m.group(2) != null ? m.group(2) : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every topic the service's channels name ({@code topic=} and {@code topics=}). */
    Set<String> topics() {
        Set<String> topics = new LinkedHashSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mp.messaging.") && (key.endsWith(".topic") || key.endsWith(".topics"))) {
                for (String topic : properties.getProperty(key).split(",")) {
                    topics.add(topic.strip());
                }
            }
        }
        return topics;
    }
}
