package dev.baton.procedure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcedureParserTest {

    private static final String VALID = """
            name: demo
            steps:
              - name: stop
                command: "svc stop"
              - name: install
                command: "install ${targetVersion}"
            health:
              command: "svc status"
              activePattern: "^up$"
              versionPattern: "^version (\\\\S+)$"
            """;

    @Test
    void shippedProceduresLoadAndFollowTheReferences() {
        ProcedureCatalog catalog = ProcedureCatalog.shipped();

        Procedure matrix = catalog.get("matrix-server").orElseThrow();
        assertThat(matrix.ordering()).isEqualTo(OrderingPolicy.MEMBERSHIP_ADDRESS_DESC);
        assertThat(matrix.health().membershipCommand()).isEqualTo("mx --numeric server status");
        assertThat(matrix.health().memberAddresses("10.10.1.1\n10.10.1.2\n10.10.1.3\n"))
                .containsExactly("10.10.1.1", "10.10.1.2", "10.10.1.3");

        Procedure dolphin = catalog.get("dolphin-expressware").orElseThrow();
        assertThat(dolphin.steps()).extracting(StepDefinition::name).containsExactly("build-rpm", "stop-services", "install");
        assertThat(dolphin.steps().get(1).onFailure()).isEqualTo(FailureMeaning.REQUIRE_REBOOT);
        assertThat(dolphin.steps().get(2).render(Map.of("targetVersion", "5.21.0")))
                .isEqualTo("sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms .");
        // "to re-install the same version, or even an older version ... you need to use the --enforce option"
        assertThat(dolphin.steps().get(2).render(Map.of("targetVersion", "5.20.0", StepDefinition.FORCED, "true")))
                .isEqualTo("sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms . --enforce");
        assertThat(dolphin.allowsRolling("5.20.0", "5.21.0")).isTrue();
        assertThat(dolphin.allowsRolling("5.18.2", "5.21.0")).isFalse();
    }

    @Test
    void healthProbeReadsWhatRunsNotWhatIsInstalled() {
        HealthProbe probe = ProcedureCatalog.shipped().get("dolphin-expressware").orElseThrow().health();
        String output = "Running version: 5.20.0\nInstalled version: 5.21.0\nNode status: active\n";

        assertThat(probe.isActive(0, output)).isTrue();
        assertThat(probe.isActive(3, "Running version: none\nNode status: disabled\n")).isFalse();
        assertThat(probe.runningVersion(output)).contains("5.20.0");
    }

    @Test
    void validProcedureParsesWithDefaults() {
        Procedure procedure = ProcedureParser.parse("demo.yaml", VALID);

        assertThat(procedure.ordering()).isEqualTo(OrderingPolicy.INVENTORY);
        assertThat(procedure.steps()).allSatisfy(step -> {
            assertThat(step.disruptive()).isTrue();
            assertThat(step.onFailure()).isEqualTo(FailureMeaning.HALT);
        });
        assertThat(procedure.health().stableProbes()).isEqualTo(3);
    }

    @Test
    void unknownOrderingPolicyIsRejectedWithItsLine() {
        String yaml = VALID.replace("steps:", "ordering:\n  policy: alphabetical\nsteps:");

        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", yaml))
                .isInstanceOf(ProcedureException.class)
                .hasMessage("demo.yaml:3: unknown ordering policy 'alphabetical' (known: inventory, membership-address-desc, label)");
    }

    @Test
    void unknownTemplateVariableIsRejectedWithItsLine() {
        String yaml = VALID.replace("install ${targetVersion}", "install ${version}");

        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", yaml))
                .isInstanceOf(ProcedureException.class)
                .satisfies(e -> {
                    ProcedureException error = (ProcedureException) e;
                    assertThat(error.line()).isEqualTo(6);
                    assertThat(error.reason()).startsWith("unknown variable ${version}");
                });
    }

    @Test
    void typoInAKeyIsRejectedWithItsLine() {
        String yaml = VALID.replace("    command: \"svc stop\"", "    comand: \"svc stop\"");

        assertThatThrownBy(() -> ProcedureParser.parse("demo.yaml", yaml))
                .hasMessageStartingWith("demo.yaml:4: unknown key 'comand' in a step");
    }

    @Test
    void badDurationRegexAndYamlAreRejectedWithTheirLines() {
        assertThatThrownBy(() -> ProcedureParser.parse("d.yaml", VALID.replace("command: \"svc stop\"",
                "command: \"svc stop\"\n    timeout: 5 minutes")))
                .hasMessage("d.yaml:5: timeout '5 minutes' is not an ISO 8601 duration like PT30S or PT5M");
        assertThatThrownBy(() -> ProcedureParser.parse("d.yaml", VALID.replace("\"^up$\"", "\"^(up$\"")))
                .hasMessageStartingWith("d.yaml:9: activePattern is not a valid regular expression");
        assertThatThrownBy(() -> ProcedureParser.parse("d.yaml", "name: x\nsteps: [\n"))
                .hasMessageStartingWith("d.yaml:3: not valid YAML");
        assertThatThrownBy(() -> ProcedureParser.parse("d.yaml", VALID.replace("health:", "healthz:")))
                .hasMessageStartingWith("d.yaml:7: unknown key 'healthz' in the procedure");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(Versions.compare("3.5.10", "3.5.9")).isPositive();
        assertThat(Versions.compare("5.21.0", "5.21")).isZero();
        assertThat(Versions.isValid("3.5.x")).isFalse();
        assertThat(Versions.isValid("1..2")).isFalse();
        assertThat(Versions.isValid("")).isFalse();
        assertThat(Versions.isValid("3.5.")).isFalse();
    }

    @Test
    void aVersionWhoseNumbersDoNotFitALongIsNotAVersion() {
        // accepted before, it made compare throw NumberFormatException in the planner's preflight
        assertThat(Versions.isValid("99999999999999999999.1")).isFalse();
        assertThat(Versions.isValid("999999999999999999.1")).isTrue();
        assertThat(Versions.compare("999999999999999999.1", "1.0")).isPositive();
    }
}
