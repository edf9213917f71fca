package dev.baton.messaging.readiness;

import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.providers.extension.HealthCenter;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@value #NAME} of every service: DOWN while a channel has failed for good, i.e. while SmallRye's
 * own liveness report names it (data: each failed channel and why). Touches no topic and asks no server.
 *
 * <p>Why: a channel that has failed is not consuming, but the connector's readiness does not reliably say so, and
 * never says why. When the throttled commit strategy declared the audit channel stuck (a record not acknowledged
 * within {@code throttled.unprocessed-record-max-age.ms}, PostgreSQL away) and stopped its consumer, its readiness
 * read {@code [OK]} ten seconds later in one run (liveness {@code [KO]}), {@code [KO]} in another: it follows the
 * closing consumer's connection count, not the failure.
 */
@Readiness
@ApplicationScoped
public class FailedChannelsCheck implements HealthCheck {
    /** The check's name in {@code /q/health/ready}. */
    public static final String NAME = "channels-not-failed";

    private final HealthCenter messaging;

    public FailedChannelsCheck(HealthCenter messaging) {
        this.messaging = messaging;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
        for (HealthReport.ChannelInfo channel : messaging.getLiveness().getChannels()) {
            if (!channel.isOk()) {
                response.down().withData(channel.getChannel(),
                        channel.getMessage() == null ? "failed" : channel.getMessage());
            }
        }
        return response.build();
    }
}
