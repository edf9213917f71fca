package dev.baton.messaging.readiness;

import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@value #NAME} of every service: the Kafka cluster named by {@code kafka.bootstrap.servers} (with
 * the same {@code kafka.*} security settings as the channels) answers an Admin {@code describeCluster} within
 * {@code baton.readiness.timeout}; the answer is reused for {@code baton.readiness.cache-for} ({@link BoundedCheck}).
 * Touches no topic.
 *
 * <p>Why, beside the checks SmallRye's Kafka connector adds per channel: a consumer channel that never reached the
 * broker reports UP ("no connection was ever attempted"), so a service started while Kafka is unreachable looks
 * ready but for its producer channel, and a broker that stops answering without closing its connections is seen by
 * the channels only when a request times out ({@code request.timeout.ms}, 30 s). This check asks the cluster.
 */
@Readiness
@ApplicationScoped
public class KafkaClusterCheck implements HealthCheck {
    /** The check's name in {@code /q/health/ready}. */
    public static final String NAME = "kafka-cluster";
    /** What SmallRye's Kafka connector uses when {@code kafka.bootstrap.servers} is not set. */
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    private final Map<String, Object> adminConfig;
    private final int timeoutMs;
    private final BoundedCheck check;
    private Admin admin;

    public KafkaClusterCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka, ReadinessConfig config) {
        // a little less than the probe waits, so that Kafka's own reason is what a probe shows
        this.timeoutMs = (int) Math.max(100, config.timeout().toMillis() - 250);
        this.adminConfig = adminConfig(kafka, timeoutMs);
        this.check = new BoundedCheck(NAME, config.timeout(), config.cacheFor(), Clock.systemUTC(), this::describeCluster);
    }

    @Override
    public HealthCheckResponse call() {
        return check.call();
    }

    /** The Admin client settings: the {@code kafka.*} ones an Admin client knows, with this check's time-outs. */
    static Map<String, Object> adminConfig(Map<String, Object> kafka, int timeoutMs) {
        Map<String, Object> config = new LinkedHashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key) && value != null) {
                config.put(key, value.toString());
            }
        });
        config.putIfAbsent(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "baton-readiness");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        return config;
    }

    private Map<String, String> describeCluster() throws InterruptedException {
        try {
            DescribeClusterResult cluster = admin().describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
            Collection<Node> nodes = cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                throw new IllegalStateException("Kafka at " + bootstrap() + " answered with no broker");
            }
            Map<String, String> data = new LinkedHashMap<>();
            data.put("bootstrap", bootstrap());
            data.put("brokers", Integer.toString(nodes.size()));
            data.put("clusterId", cluster.clusterId().get(timeoutMs, TimeUnit.MILLISECONDS));
            return data;
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new IllegalStateException("Kafka at " + bootstrap() + " did not answer describeCluster within "
                    + timeoutMs + " ms: " + why, cause);
        }
    }

    private String bootstrap() {
        return String.valueOf(adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** Created on the first probe, so a service that is never probed (a unit test) never dials Kafka. */
    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        check.close();
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }
}
