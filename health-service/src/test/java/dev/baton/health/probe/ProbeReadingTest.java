package dev.baton.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.node.ProbeObservation;
import dev.baton.health.node.ProbeObservation.Outcome;
import dev.baton.procedure.HealthProbe;
import dev.baton.procedure.ProcedureCatalog;
import org.junit.jupiter.api.Test;

class ProbeReadingTest {
    private static final String BOOT = "0f6a3b4e-6c1d-4d8e-9f00-1234567890ab";
    private static final ProcedureCatalog CATALOG = ProcedureCatalog.shipped();
    private static final HealthProbe MATRIX = CATALOG.get("matrix-server").orElseThrow().health();
    private static final HealthProbe DOLPHIN = CATALOG.get("dolphin-expressware").orElseThrow().health();

    @Test
    void readsTheBootIdAndTheStatusFromOneExec() {
        assertThat(ProbeReading.command(DOLPHIN)).isEqualTo("cat /proc/sys/kernel/random/boot_id; dis_services status");

        ProbeObservation observation = ProbeReading.read(ExecResult.completed(0, BOOT + "\n"
                + "Running version: 5.20.0\nInstalled version: 5.21.0\nDolphin Node Manager: running\nNode status: active\n",
                null), DOLPHIN);

        assertThat(observation).isEqualTo(ProbeObservation.good("5.20.0", BOOT));
    }

    @Test
    void aStoppedProductIsServiceDown() {
        ProbeObservation observation = ProbeReading.read(ExecResult.completed(3, BOOT + "\n"
                + "Running version: none\nInstalled version: 5.20.0\nNode status: disabled\n", null), DOLPHIN);

        assertThat(observation.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(observation.bootId()).isEqualTo(BOOT);
        assertThat(observation.detail()).startsWith("exit 3: Running version: none");
    }

    @Test
    void aMatrixServerThatLeftTheMatrixIsNotActive() {
        ProbeObservation observation = ProbeReading.read(ExecResult.completed(3, BOOT + "\n"
                + "Matrix Server 3.5.0 is running but has left the matrix: a newer server joined\n", null), MATRIX);

        assertThat(observation.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
    }

    @Test
    void withoutABootIdTheWholeOutputIsTheStatus() {
        ProbeObservation observation = ProbeReading.read(ExecResult.completed(0, "Matrix Server 3.5.1 is running\n",
                "cat: /proc/sys/kernel/random/boot_id: No such file or directory"), MATRIX);

        assertThat(observation).isEqualTo(ProbeObservation.good("3.5.1", null));
    }

    @Test
    void connectionProblemsAreTheirOwnOutcomes() {
        assertThat(ProbeReading.read(ExecResult.unreachable("refused"), MATRIX).outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(ProbeReading.read(ExecResult.hostKeyRejected("changed"), MATRIX).outcome())
                .isEqualTo(Outcome.HOST_KEY_MISMATCH);
    }
}
