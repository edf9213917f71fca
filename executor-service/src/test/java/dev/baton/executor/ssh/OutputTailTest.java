package dev.baton.executor.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputTailTest {

    @Test
    void keepsShortOutputWhole() {
        OutputTail tail = new OutputTail();
        tail.append("Running version: 5.5.0\n".getBytes(StandardCharsets.UTF_8));
        tail.append("Node status: active\n".getBytes(StandardCharsets.UTF_8));

        assertThat(tail.text()).isEqualTo("Running version: 5.5.0\nNode status: active\n");
    }

    @Test
    void keepsOnlyTheLast4KiBAcrossManySmallAppends() {
        OutputTail tail = new OutputTail();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String line = "line " + i + "\n";
            all.append(line);
            tail.append(line.getBytes(StandardCharsets.UTF_8));
        }

        String text = tail.text();
        assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(OutputTail.DEFAULT_LIMIT);
        assertThat(all.toString()).endsWith(text);
        assertThat(text).endsWith("line 1999\n");
        assertThat(tail.bytesSeen()).isEqualTo(all.length());
    }

    @Test
    void oneAppendLargerThanTheLimitKeepsItsEnd() {
        OutputTail tail = new OutputTail(8);

        tail.append("0123456789abcdef".getBytes(StandardCharsets.UTF_8));

        assertThat(tail.text()).isEqualTo("89abcdef");
    }

    @Test
    void dropsACharacterCutInHalfAtTheStart() {
        OutputTail tail = new OutputTail(5);

        tail.append("aé€xyz".getBytes(StandardCharsets.UTF_8)); // é = 2 bytes, € = 3 bytes

        // the last 5 bytes are the last 2 bytes of €, then "xyz": the broken character is dropped
        assertThat(tail.text()).isEqualTo("xyz");
    }

    @Test
    void ofTrimsStringsToTheDefaultLimit() {
        String big = "x".repeat(10_000) + "END";

        assertThat(OutputTail.of(big)).hasSize(OutputTail.DEFAULT_LIMIT).endsWith("END");
        assertThat(OutputTail.of("short")).isEqualTo("short");
        assertThat(OutputTail.of(null)).isNull();
    }
}
