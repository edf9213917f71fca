package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.SshTarget;
import dev.baton.contracts.StepOutput;
import dev.baton.contracts.StepResult;
import dev.baton.fixtures.NodeCommands;
import dev.baton.sandbox.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepOutputStreamTest {
    private final List<StepResult> published = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
    private final NodeCommand command = NodeCommands.run("dolphin-lab", "dx1", "install", "install").commandId("cmd-1")
            .rolloutId("roll-1").target(new SshTarget("127.0.0.1", 22, "root")).disruptive().build();
    private final StepOutputStream stream = new StepOutputStream(command, (r, a, c) -> published.add(r), "alice",
            "cause-1", 100, Duration.ofSeconds(1), clock);

    @Test
    void chunksAreAtMostChunkBytesAndAtMostOnePerIntervalAndSaySoWhenOutputWasSkipped() {
        write("first line\n"); // the first output goes out at once
        write("x".repeat(300)); // within the same second: buffered up to 100 bytes, the rest counted
        clock.advance(Duration.ofMillis(500));
        write("y");
        clock.advance(Duration.ofMillis(600));
        write("z\n"); // a second later: the buffered chunk goes out
        stream.finish();

        assertThat(published).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(StepOutput.class));
        assertThat(output(0)).isEqualTo("first line\n");
        assertThat(output(1)).startsWith("x".repeat(100) + "\n")
                .contains("[baton: 203 bytes of output not streamed (rate limit); the step result keeps the last 4 KiB]");
        assertThat(output(1).length()).isLessThan(100 + 120);
    }

    @Test
    void finishSendsWhatIsLeftAndIgnoresLaterOutput() {
        write("a\n");
        write("b\n"); // same instant: held back by the rate limit
        stream.finish();
        write("late\n");

        assertThat(published).hasSize(2);
        assertThat(output(1)).isEqualTo("b\n");
        assertThat(((StepOutput) published.get(0)).commandId()).isEqualTo("cmd-1");
        assertThat(((StepOutput) published.get(0)).step()).isEqualTo("install");
    }

    private void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        stream.onOutput(bytes, 0, bytes.length);
    }

    private String output(int i) {
        return ((StepOutput) published.get(i)).output();
    }
}
