package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuditBenchTest {
    /** AuditBenchmark's output as audit-service/README.md shows it. */
    private static final String OUTPUT = """
            audit benchmark: 1,000,000 events, 50 clusters, batches of 500, on postgres
              100,000 stored, 13,100 events/s so far
            ingest: 1,000,000 events in 73.3 s = 13,639 events/s
            query by rollout: 200 queries, 80,000 rows, p50 10.46 ms, p99 45.12 ms
            query by 1 h time range: 200 queries, 200,000 rows, p50 13.34 ms, p99 90.05 ms
            verify (all chains): 1,000,000 records, ok=true, 34.0 s
            """;

    @Test
    void theFiguresAreReadFromTheBenchmarksOutput() {
        AuditBench.Figures figures = AuditBench.parse(OUTPUT);

        assertThat(figures.events()).isEqualTo(1_000_000);
        assertThat(figures.ingestPerSecond()).isEqualTo(13_639);
        assertThat(figures.ingestSeconds()).isEqualTo(73.3);
        assertThat(figures.rolloutP50()).isEqualTo(10.46);
        assertThat(figures.rolloutP99()).isEqualTo(45.12);
        assertThat(figures.rangeP50()).isEqualTo(13.34);
        assertThat(figures.rangeP99()).isEqualTo(90.05);
        assertThat(figures.verifiedRecords()).isEqualTo(1_000_000);
        assertThat(figures.verifyOk()).isTrue();
        assertThat(figures.verifySeconds()).isEqualTo(34.0);
        assertThat(figures.csv().lines()).contains("scenario,metric,contender,value,unit",
                "audit 1000000 events,ingest-rate,baton-audit,13639.00,events/s",
                "audit 1000000 events,query-by-1h-range-p99,baton-audit,90.05,ms",
                "audit 1000000 events,verify-all-chains,baton-audit,34.00,s (ok)");
        assertThat(figures.markdown()).contains("| ingest | 13,639 events/s (73.3 s) |",
                "| compliance query by rollout | p50 10.46 ms, p99 45.12 ms |");
    }

    @Test
    void aMissingLineIsNamed() {
        assertThatThrownBy(() -> AuditBench.parse(OUTPUT.replace("query by rollout", "query by node")))
                .hasMessageContaining("query by rollout");
    }

    @Test
    void theBenchmarkRunsInAJvmOfTheBenchsOwnClasspath() {
        assertThat(AuditBench.command("/bench.jar:/lib.jar", 1000)).endsWith("-cp", "/bench.jar:/lib.jar",
                "dev.baton.audit.AuditBenchmark", "1000");
    }
}
