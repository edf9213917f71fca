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

        ProbeObservation observation = ProbeReading.read(ProbeAnswer.completed(0, BOOT + "\n"
                + "Running version: 5.20.0\nInstalled version: 5.21.0\nDolphin Node Manager: running\nNode status: active\n",
                null), DOLPHIN);

        assertThat(observation).isEqualTo(ProbeObservation.good("5.20.0", BOOT));
    }

    @Test
    void aStoppedProductIsServiceDown() {
        ProbeObservation observation = ProbeReading.read(ProbeAnswer.completed(3, BOOT + "\n"
                + "Running version: none\nInstalled version: 5.20.0\nNode status: disabled\n", null), DOLPHIN);

        assertThat(observation.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(observation.bootId()).isEqualTo(BOOT);
        assertThat(observation.detail()).startsWith("exit 3: Running version: none");
    }

    @Test
    void aMatrixServerThatLeftTheMatrixIsNotActive() {
        ProbeObservation observation = ProbeReading.read(ProbeAnswer.completed(3, BOOT + "\n"
                + "Matrix Server 3.5.0 is running but has left the matrix: a newer server joined\n", null), MATRIX);

        assertThat(observation.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
    }

    @Test
    void theSharedResourceRidesInTheSameExecAndEachPartKeepsItsExitStatus() {
        assertThat(ProbeReading.command(MATRIX)).isEqualTo("cat /proc/sys/kernel/random/boot_id; pmxs status;"
                + " echo __baton_status_exit__ $?; psfs status; echo __baton_shared_exit__ $?");
        ProbeAnswer up = ProbeAnswer.completed(0, BOOT + "\nMatrix Server 3.5.0 is running\n__baton_status_exit__ 0\n"
                + "PSFS filesystem /psfs is mounted\n__baton_shared_exit__ 0\n", null);
        assertThat(ProbeReading.read(ProbeReading.statusPart(up, MATRIX), MATRIX)).isEqualTo(ProbeObservation.good("3.5.0",
                BOOT));
        assertThat(ProbeReading.holdsShared(up, MATRIX)).isTrue();

        // the status failed (exit 3) although the whole exec exits 0 (its last echo): read as down
        ProbeAnswer down = ProbeAnswer.completed(0, BOOT + "\nMatrix Server is stopped (installed version 3.5.0)\n"
                + "__baton_status_exit__ 3\nPSFS filesystem /psfs is not mounted\n__baton_shared_exit__ 3\n", null);
        ProbeObservation stopped = ProbeReading.read(ProbeReading.statusPart(down, MATRIX), MATRIX);
        assertThat(stopped.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(stopped.detail()).isEqualTo("exit 3: Matrix Server is stopped (installed version 3.5.0)");
        assertThat(ProbeReading.holdsShared(down, MATRIX)).isFalse();

        // an answer cut short says nothing about the resource; no answer neither; Dolphin declares none
        assertThat(ProbeReading.holdsShared(ProbeAnswer.completed(0, BOOT + "\nMatrix Server 3.5.0 is running\n", null),
                MATRIX)).isNull();
        assertThat(ProbeReading.holdsShared(ProbeAnswer.unreachable("refused"), MATRIX)).isNull();
        assertThat(ProbeReading.holdsShared(up, DOLPHIN)).isNull();
    }

    @Test
    void withoutABootIdTheWholeOutputIsTheStatus() {
        ProbeObservation observation = ProbeReading.read(ProbeAnswer.completed(0, "Matrix Server 3.5.1 is running\n",
                "cat: /proc/sys/kernel/random/boot_id: No such file or directory"), MATRIX);

        assertThat(observation).isEqualTo(ProbeObservation.good("3.5.1", null));
    }

    @Test
    void connectionProblemsAreTheirOwnOutcomes() {
        assertThat(ProbeReading.read(ProbeAnswer.unreachable("refused"), MATRIX).outcome()).isEqualTo(Outcome.UNREACHABLE);
        assertThat(ProbeReading.read(ProbeAnswer.hostKeyRejected("changed"), MATRIX).outcome())
                .isEqualTo(Outcome.HOST_KEY_MISMATCH);
    }

    @Test
    void anActiveStatusWithoutARunningVersionIsNotGood() {
        ProbeObservation observation = ProbeReading.read(ProbeAnswer.completed(0, BOOT + "\n"
                + "Running version: unknown\nNode status: active\n", null), DOLPHIN);

        assertThat(observation.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(observation.detail()).startsWith("no running version reported");
    }

    @Test
    void aSeparateVersionCommandSaysWhichVersionRuns() {
        HealthProbe probe = new HealthProbe("svc status", java.util.regex.Pattern.compile("^up$"),
                java.util.regex.Pattern.compile("^running (\\S+)$"), null, null, 3, java.time.Duration.ofMinutes(5),
                "svc version --running", null, null, null, null, null);
        ProbeObservation status = ProbeReading.read(ProbeAnswer.completed(0, BOOT + "\nup\n", null), probe);
        assertThat(ProbeReading.needsVersionCommand(probe)).isTrue();
        assertThat(status.good()).isTrue();

        assertThat(ProbeReading.withVersion(status, ProbeAnswer.completed(0, "installed 2.0\nrunning 1.9\n", null), probe))
                .isEqualTo(ProbeObservation.good("1.9", BOOT));
        assertThat(ProbeReading.withVersion(status, ProbeAnswer.completed(1, "", "no daemon"), probe).outcome())
                .isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(ProbeReading.withVersion(status, ProbeAnswer.unreachable("gone"), probe).outcome())
                .isEqualTo(Outcome.UNREACHABLE);
    }

    @Test
    void withOnlyACheckTheVersionCommandCarriesTheBootIdAndAFailedCheckIsServiceDown() {
        HealthProbe probe = new HealthProbe(null, null, java.util.regex.Pattern.compile("^db (\\S+)$"), null, null, 3,
                java.time.Duration.ofMinutes(5), "db --version", new HealthProbe.Check(HealthProbe.Check.Kind.TCP, 5432, null, 0),
                null, null, null, null);
        assertThat(ProbeReading.command(probe)).isEqualTo("cat /proc/sys/kernel/random/boot_id; db --version");

        ProbeObservation reading = ProbeReading.read(ProbeAnswer.completed(0, BOOT + "\ndb 16.2\n", null), probe);
        assertThat(reading).isEqualTo(ProbeObservation.good("16.2", BOOT));

        ProbeObservation refused = ProbeReading.withCheck(reading, "tcp 127.0.0.1:5432: Connection refused");
        assertThat(refused.outcome()).isEqualTo(Outcome.SERVICE_DOWN);
        assertThat(refused.bootId()).isEqualTo(BOOT);
        assertThat(refused.detail()).contains("Connection refused");
        assertThat(ProbeReading.withCheck(reading, null)).isEqualTo(reading);
    }
}
