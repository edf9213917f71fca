package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOfAHundredShuffledValues() {
        List<Duration> sample = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            sample.add(Duration.ofMillis(i));
        }
        Collections.shuffle(sample, new java.util.Random(7));

        Percentiles p = Percentiles.of(sample);

        assertThat(p.count()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(Duration.ofMillis(50));
        assertThat(p.p99()).isEqualTo(Duration.ofMillis(99));
        assertThat(p.max()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void fifteenHopsHaveTheirMaximumAsP99() {
        List<Duration> sample = new ArrayList<>();
        for (int i = 1; i <= 15; i++) {
            sample.add(Duration.ofMillis(10L * i));
        }

        Percentiles p = Percentiles.of(sample);

        assertThat(p.p50()).isEqualTo(Duration.ofMillis(80));
        assertThat(p.p99()).isEqualTo(Duration.ofMillis(150)).isEqualTo(p.max());
    }

    @Test
    void anEmptySampleIsAllZero() {
        assertThat(Percentiles.of(List.of())).isEqualTo(new Percentiles(0, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }
}
