package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTableTest {
    private static final Percentiles HOP = new Percentiles(15, Duration.ofMillis(40), Duration.ofMillis(90), Duration.ofMillis(90));
    private final ResultTable table = new ResultTable("16-node matrix-server", Duration.ofSeconds(30), Duration.ofSeconds(24),
            Duration.ofSeconds(6), List.of(new ResultTable.Run("Baton", List.of(Duration.ofSeconds(36)), true, ""),
            new ResultTable.Run("Ansible (serial: 1, raw)", List.of(Duration.ofSeconds(54)), true, "")), HOP, HOP,
            new BatonRunAnalysis.Breakdown(Duration.ofMillis(100), Duration.ofSeconds(26), Duration.ofMillis(8500),
                    Duration.ofMillis(1300), Duration.ofMillis(100)));

    @Test
    void overheadsAreAboveTheLimitAndTheRatiosCompareBatonWithAnsible() {
        assertThat(table.overhead(table.run("baton"))).isEqualTo(Duration.ofSeconds(6));
        assertThat(table.overhead(table.run("ansible"))).isEqualTo(Duration.ofSeconds(24));
        assertThat(table.ofLimit(table.run("baton"))).isEqualTo(1.2);
        assertThat(table.batonToAnsible()).isCloseTo(0.6667, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(table.overheadBatonToAnsible()).isEqualTo(0.25);
    }

    @Test
    void noRatioIsClaimedWhenAContenderDidNotComplete() {
        ResultTable failed = new ResultTable("s", Duration.ofSeconds(30), Duration.ofSeconds(24), Duration.ofSeconds(6),
                List.of(new ResultTable.Run("Baton", List.of(Duration.ofSeconds(36)), true, ""),
                        new ResultTable.Run("Ansible", List.of(Duration.ofSeconds(5)), false, "")), null, null, null);

        assertThat(failed.batonToAnsible()).isNaN();
        assertThat(failed.csv()).contains("s,wall-time,Ansible,5.000,DID NOT COMPLETE", "ratio-baton-to-ansible,baton:ansible,n/a");
        assertThat(failed.markdown()).contains("Ansible (DID NOT COMPLETE)");
    }

    @Test
    void severalRoundsAreSummedUpByTheirMedianAndComparedRoundByRound() {
        ResultTable rounds = new ResultTable("s", Duration.ofSeconds(30), Duration.ofSeconds(24), Duration.ofSeconds(6),
                List.of(new ResultTable.Run("Baton", List.of(Duration.ofSeconds(40), Duration.ofSeconds(36), Duration.ofSeconds(38)), true,
                        ""),
                        new ResultTable.Run("Ansible", List.of(Duration.ofSeconds(40), Duration.ofSeconds(45), Duration.ofSeconds(50)),
                                true, "")),
                null, null, null);

        assertThat(rounds.run("baton").wallTime()).isEqualTo(Duration.ofSeconds(38));
        assertThat(rounds.run("ansible").wallTime()).isEqualTo(Duration.ofSeconds(45));
        assertThat(rounds.batonToAnsibleByRound()).containsExactly(1.0, 0.8, 0.76);
        assertThat(rounds.csv()).contains("s,wall-time,Baton,38.000,\"completed, median of 3 rounds\"",
                "s,wall-time-round-2,Ansible,45.000,round 2", "s,ratio-baton-to-ansible-round-3,baton:ansible,0.76,");
        assertThat(rounds.text()).contains("medians of 3 rounds; wall time ratio per round: 1.00, 0.80, 0.76");
        // the even-count median is the lower middle value
        assertThat(new ResultTable.Run("x", List.of(Duration.ofSeconds(2), Duration.ofSeconds(1)), true, "").wallTime())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void csvHasOneMetricPerLine() {
        assertThat(table.csv().lines()).contains(
                "scenario,metric,contender,seconds,note",
                "16-node matrix-server,physical-limit,limit,30.000,steps 24.000 s + stabilisation 6.000 s",
                "16-node matrix-server,wall-time,Baton,36.000,completed",
                "16-node matrix-server,overhead-above-limit,\"Ansible (serial: 1, raw)\",24.000,1.80x the limit",
                "16-node matrix-server,ratio-baton-to-ansible,baton:ansible,0.67,wall time ratio (not seconds)",
                "16-node matrix-server,hop-p99,baton,0.090,\"NodeActive -> next StepStarted, n=15\"");
        assertThat(ResultTable.csvField("say \"hi\", twice")).isEqualTo("\"say \"\"hi\"\", twice\"");
    }

    @Test
    void markdownAndTextCarryTheSameFigures() {
        assertThat(table.markdown()).contains("| Baton | 36.000 s | 6.000 s | 1.20 |", "Baton : Ansible wall time = **0.67**",
                "| NodeActive → next node's StepStarted | 40 ms | 90 ms | 90 ms |",
                "| steps (incl. round trips between them) | 26.000 s | 24.000 s | 2.000 s |",
                "| last step → NodeActive (health) | 8.500 s | 6.000 s | 2.500 s |");
        assertThat(table.csv()).contains("16-node matrix-server,baton-part-hops,baton,1.300,NodeActive -> next node's StepStarted");
        assertThat(table.text()).contains("Baton : Ansible  wall time 0.67   overhead 0.25", "p50 40 ms  p99 90 ms  max 90 ms");
    }

    @Test
    void theChartIsAPngWithABarPerContenderAndTheLimit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chart.png");

        ResultChart.write(table, file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(ResultChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ResultChart.HEIGHT);
        // bars: the limit, then Baton, then Ansible (36 px high, 18 px apart), in proportion to the wall times
        int limitBar = barLength(image, 50 + 18);
        int batonBar = barLength(image, 50 + 54 + 18);
        int ansibleBar = barLength(image, 50 + 2 * 54 + 18);
        assertThat(ansibleBar).isGreaterThan(batonBar);
        assertThat(batonBar).isGreaterThan(limitBar);
        assertThat(ansibleBar / (double) limitBar).isCloseTo(54 / 30.0, org.assertj.core.data.Offset.offset(0.02));
    }

    /** Pixels of the row in a bar colour (grey limit part or a coloured overhead part), not text. */
    private static int barLength(BufferedImage image, int y) {
        java.util.Set<Integer> barColours = java.util.Set.of(0xB0B0B0, 0x2A7AB0, 0xD0652B, 0x5A9E4B);
        int count = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            if (barColours.contains(image.getRGB(x, y) & 0xFFFFFF)) {
                count++;
            }
        }
        return count;
    }
}
