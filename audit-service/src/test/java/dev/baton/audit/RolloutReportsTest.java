package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.MixedVersionWindowOpened;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.StepFailed;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report builder on hand-made stored events (no database). */
class RolloutReportsTest {
    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private static AuditedEvent stored(long seq, BatonEvent event, Instant at) {
        return new AuditedEvent(seq, event.clusterId(), seq, "00", event.topic(), 0, seq, at, event.eventType(), "id-" + seq,
                "/t", null, at, event.clusterId(), event.clusterId(), event.rolloutId(), event.nodeName(), "alice", null, at,
                "[]", new String(EventCodec.toJson(event), StandardCharsets.UTF_8), null);
    }

    @Test
    void aHaltedRolloutWithAnOpenMixedVersionWindow() {
        List<AuditedEvent> events = new ArrayList<>();
        // stored out of order on purpose: the report follows the event times
        events.add(stored(5, new RolloutHalted("r1", "c1", "n2", "NODE_FAILED", "install failed twice"), T0.plusSeconds(50)));
        events.add(stored(1, new RolloutAccepted("r1", "c1", "q1", "3.5.1", "bob"), T0));
        events.add(stored(2, new NodeUpgradeStarted("r1", "c1", "n2", "3.5.0", "3.5.1"), T0.plusSeconds(10)));
        events.add(stored(3, new MixedVersionWindowOpened("r1", "c1", T0.plusSeconds(20), List.of("3.5.0", "3.5.1")),
                T0.plusSeconds(20)));
        events.add(stored(4, new StepFailed("k1", "r1", "c1", "n2", "install", 2, "", "EXIT_STATUS", "rpm failed"),
                T0.plusSeconds(40)));

        RolloutReport report = RolloutReports.build("r1", events, T0.plusSeconds(80));

        assertThat(report.request().requestedBy()).isEqualTo("bob");
        assertThat(report.outcome().status()).isEqualTo("HALTED");
        assertThat(report.nodes()).singleElement().satisfies(node -> {
            assertThat(node.versionBefore()).isEqualTo("3.5.0");
            assertThat(node.versionAfter()).isNull();
            assertThat(node.status()).isEqualTo("FAILED");
        });
        assertThat(report.failures()).singleElement().satisfies(f -> {
            assertThat(f.remedy()).isEqualTo("rollout halted: install failed twice");
            assertThat(f.remedyAt()).isEqualTo(T0.plusSeconds(50));
        });
        assertThat(report.mixedVersionWindows()).singleElement().satisfies(w -> assertThat(w.closedAt()).isNull());
        assertThat(report.mixedVersionDuration()).as("open until the report was made").isEqualTo(Duration.ofSeconds(60));
        assertThat(report.startedAt()).isEqualTo(T0);
        assertThat(ReportExport.csv(report).lines()).anySatisfy(line -> assertThat(line).startsWith("outcome,r1,c1,")
                .contains("HALTED:NODE_FAILED"));
    }
}
