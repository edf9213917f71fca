package dev.baton.sandbox.quarkus;

import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_LIVENESS;
import static dev.baton.sandbox.quarkus.HealthEndpoint.MESSAGING_READINESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every Baton service's {@code /q/health} must do when its Kafka broker goes away, checked against the broker of
 * {@link StoppableKafkaSandboxResource}, which this stops: while the broker answers, ready and live are UP with each
 * incoming channel {@code [OK]} and the {@code kafka-cluster} check seeing one broker; once it is gone, ready is DOWN
 * (503, the cluster check naming the bootstrap servers, each incoming channel {@code [KO]}) and live stays UP, because
 * a broker outage is waited for, not restarted away. Touches no topic.
 */
public final class KafkaOutageScenario {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String FAILED_CHANNELS = "channels-not-failed";
    private static final String KAFKA_CLUSTER = "kafka-cluster";

    private final HealthEndpoint endpoint;
    private final List<String> incoming;
    private Consumer<HealthEndpoint.Report> alsoReady = report -> { };
    private Consumer<HealthEndpoint.Report> alsoLive = report -> { };

    private KafkaOutageScenario(URI health, List<String> incoming) {
        this.endpoint = new HealthEndpoint(health);
        this.incoming = List.copyOf(incoming);
    }

    /** The scenario for the service at {@code health} ({@code /q/health}) with these incoming channels. */
    public static KafkaOutageScenario of(URI health, List<String> incoming) {
        return new KafkaOutageScenario(health, incoming);
    }

    /** Further checks of the ready report while Kafka is up (the service's own checks). */
    public KafkaOutageScenario whileUpReady(Consumer<HealthEndpoint.Report> expectation) {
        alsoReady = expectation;
        return this;
    }

    /** Further checks of the live report while Kafka is up. */
    public KafkaOutageScenario whileUpLive(Consumer<HealthEndpoint.Report> expectation) {
        alsoLive = expectation;
        return this;
    }

    /** Waits for ready UP, checks live, stops the broker, waits for ready DOWN and checks live is still UP. */
    public void run() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.up()).as(ready.body()).isTrue();
            assertThat(ready.check(FAILED_CHANNELS).up()).isTrue();
            assertThat(ready.check(KAFKA_CLUSTER).data()).containsEntry("brokers", "1");
            for (String channel : incoming) {
                assertThat(ready.check(MESSAGING_READINESS).data()).containsEntry(channel, "[OK]");
            }
            alsoReady.accept(ready);
        });
        HealthEndpoint.Report live = endpoint.live();
        assertThat(live.up()).as(live.body()).isTrue();
        for (String channel : incoming) {
            assertThat(live.check(MESSAGING_LIVENESS).data()).containsEntry(channel, "[OK]");
        }
        alsoLive.accept(live);

        String bootstrap = StoppableKafkaSandboxResource.kafka().bootstrapServers();
        StoppableKafkaSandboxResource.kafka().close();

        await().atMost(PATIENCE).untilAsserted(() -> {
            HealthEndpoint.Report ready = endpoint.ready();
            assertThat(ready.httpStatus()).as(ready.body()).isEqualTo(503);
            assertThat(ready.check(KAFKA_CLUSTER).up()).as(ready.body()).isFalse();
            assertThat(ready.check(KAFKA_CLUSTER).data().get("reason")).contains(bootstrap);
            for (String channel : incoming) {
                assertThat(ready.check(MESSAGING_READINESS).data().get(channel)).as(channel).startsWith("[KO]");
            }
        });
        live = endpoint.live();
        assertThat(live.up()).as("Kafka being away is waited for, not restarted away: " + live.body()).isTrue();
    }
}
