package dev.baton.procedure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcedureRulesTest {

    private static final String BASE = """
            name: demo
            steps:
              - name: build
                command: "make"
                disruptive: false
              - name: install
                command: "install ${targetVersion}"
            health:
              command: "svc status"
              activePattern: "^up$"
              versionPattern: "^version (\\\\S+)$"
            """;

    @Test
    void shippedProceduresCarryTheReferenceRules() {
        Procedure dolphin = ProcedureCatalog.shipped().get("dolphin-expressware").orElseThrow();
        assertThat(dolphin.artifact()).isEqualTo(new ProcedureRules.Artifact("build-rpm", "node_RPMS"));
        assertThat(dolphin.remedy().rebootOnce()).isTrue();
        StepDefinition install = dolphin.step("install").orElseThrow();
        assertThat(install.meaningOf("Dolphin_eXpressWare-5.21.0.sh: the updated services failed to start; a reboot of"
                + " the Cluster Node will fix the problem")).isEqualTo(FailureMeaning.REQUIRE_REBOOT);
        assertThat(install.meaningOf("no binary RPM packages in ./node_RPMS")).isEqualTo(FailureMeaning.HALT);

        Procedure matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
        assertThat(matrix.guards().lastOldNode()).isTrue();
        assertThat(matrix.outOfOrder()).isEqualTo(new ProcedureRules.OutOfOrderRemedy("pmxs stop", "pmxs start"));
        assertThat(matrix.mixedVersion().haltAfter()).isGreaterThan(matrix.mixedVersion().alertAfter());
    }

    @Test
    void rulesAreOptional() {
        Procedure procedure = ProcedureParser.parse("demo.yaml", BASE);
        assertThat(procedure.artifact()).isNull();
        assertThat(procedure.remedy().rebootOnce()).isFalse();
        assertThat(procedure.guards().lastOldNode()).isFalse();
        assertThat(procedure.mixedVersion()).isNull();
        assertThat(procedure.outOfOrder()).isNull();
        assertThat(procedure.step("install").orElseThrow().retries()).isEqualTo(2);
    }

    @Test
    void labelOrderingNamesItsLabel() {
        Procedure procedure = ProcedureParser.parse("demo.yaml", BASE + "ordering:\n  policy: label\n  label: rank\n");
        assertThat(procedure.ordering()).isEqualTo(OrderingPolicy.LABEL);
        assertThat(procedure.orderingLabel()).isEqualTo("rank");
        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", BASE + "ordering:\n  policy: label\n"))
                .hasMessage("demo.yaml:13: ordering policy 'label' needs 'label': the node label that holds each node's rank");
    }

    @Test
    void brokenRulesAreRejectedWithTheirLines() {
        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", BASE + "artifact:\n  step: compile\n  path: out\n"))
                .hasMessage("demo.yaml:13: artifact step 'compile' is not one of the steps");
        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", BASE + "mixedVersion:\n  alertAfter: PT5H\n  haltAfter: PT1H\n"))
                .hasMessage("demo.yaml:13: alertAfter (PT5H) must not be after haltAfter (PT1H)");
        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", BASE.replace("command: \"make\"",
                "command: \"make\"\n    onFailureWhen:\n      - output: \"busy\"\n        meaning: panic")))
                .hasMessageStartingWith("demo.yaml:7: unknown meaning 'panic' (known: halt, require-reboot, retry)");
        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", BASE + "remedy:\n  rebootOnce: maybe\n"))
                .hasMessage("demo.yaml:13: rebootOnce must be true or false, got 'maybe'");
    }

    @Test
    void remedyDefaultsItsTimeout() {
        Procedure procedure = ProcedureParser.parse("demo.yaml", BASE + "remedy:\n  rebootOnce: true\n");
        assertThat(procedure.remedy()).isEqualTo(new ProcedureRules.Remedy(true, Duration.ofMinutes(10)));
    }
}
