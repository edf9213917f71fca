package dev.baton.procedure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code health:} section of a procedure: every probe kind, the timing keys, and mistakes named with their line. */
class HealthProbeParserTest {

    private static String procedure(String health) {
        return "name: demo\nsteps:\n  - name: restart\n    command: \"svc restart\"\nhealth:\n" + health;
    }

    private static HealthProbe parse(String health) {
        return ProcedureParser.parse("demo.yaml", procedure(health)).health();
    }

    private static void rejected(String health, String message) {
        assertThatThrownBy(() -> parse(health)).isInstanceOf(ProcedureException.class).hasMessage(message);
    }

    @Test
    void theShippedProbesKeepTheirShapeAndUseTheServiceDefaults() {
        HealthProbe dolphin = ProcedureCatalog.shipped().get("dolphin-expressware").orElseThrow().health();

        assertThat(dolphin.command()).isEqualTo("dis_services status");
        assertThat(dolphin.stableProbes()).isEqualTo(3);
        assertThat(dolphin.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(dolphin.versionCommand()).isNull();
        assertThat(dolphin.versionSource()).isEqualTo("dis_services status");
        assertThat(dolphin.check()).isNull();
        assertThat(dolphin.interval()).isNull();
        assertThat(dolphin.jitter()).isNull();
        assertThat(dolphin.probeTimeout()).isNull();
        assertThat(dolphin.stableFor()).isNull();
    }

    @Test
    void everyKeyIsRead() {
        HealthProbe probe = parse("""
                  command: "svc status"
                  activePattern: "^up$"
                  versionCommand: "svc version --running"
                  versionPattern: "^running (\\\\S+)$"
                  check:
                    http: {port: 8080, path: /healthz, expectStatus: 204}
                  stableProbes: 4
                  stableFor: PT10S
                  interval: PT2S
                  jitter: PT0.5S
                  probeTimeout: PT1S
                  timeout: PT3M
                """);

        assertThat(probe.versionSource()).isEqualTo("svc version --running");
        assertThat(probe.runningVersion("running 2.1.0\n")).contains("2.1.0");
        assertThat(probe.check()).isEqualTo(new HealthProbe.Check(HealthProbe.Check.Kind.HTTP, 8080, "/healthz", 204));
        assertThat(probe.stableProbes()).isEqualTo(4);
        assertThat(probe.stableFor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(probe.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(probe.jitter()).isEqualTo(Duration.ofMillis(500));
        assertThat(probe.probeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(probe.timeout()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void theMatrixProcedureDeclaresPsfsAsASharedResourceProbedOnEachNode() {
        HealthProbe matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow().health();
        HealthProbe.SharedResource psfs = matrix.sharedResource();

        assertThat(psfs.name()).isEqualTo("PSFS /psfs");
        assertThat(psfs.command()).isEqualTo("psfs status");
        // the simulator's own words (sandbox MatrixServer): "PSFS filesystem /psfs is mounted" / "is not mounted", exit 3
        assertThat(psfs.holds(0, "PSFS filesystem /psfs is mounted\n")).isTrue();
        assertThat(psfs.holds(3, "PSFS filesystem /psfs is not mounted\n")).isFalse();
        assertThat(psfs.holds(0, "PSFS filesystem /psfs is not mounted\n")).isFalse();
        assertThat(ProcedureCatalog.shipped().get("dolphin-expressware").orElseThrow().health().sharedResource()).isNull();
    }

    @Test
    void aTcpCheckWithAVersionCommandNeedsNoStatusCommand() {
        HealthProbe probe = parse("""
                  versionCommand: "db --version"
                  versionPattern: "^db (\\\\S+)$"
                  check:
                    tcp: {port: 5432}
                """);

        assertThat(probe.command()).isNull();
        assertThat(probe.isActive(0, "")).as("no status command: only the check decides").isTrue();
        assertThat(probe.check().kind()).isEqualTo(HealthProbe.Check.Kind.TCP);
        assertThat(probe.check().port()).isEqualTo(5432);
        assertThat(probe.check().describe()).isEqualTo("tcp :5432");
    }

    @Test
    void anHttpCheckDefaultsToSlashAnd200() {
        HealthProbe probe = parse("""
                  command: "svc status"
                  activePattern: "^up$"
                  versionPattern: "^version (\\\\S+)$"
                  check:
                    http: {port: 80}
                """);

        assertThat(probe.check()).isEqualTo(new HealthProbe.Check(HealthProbe.Check.Kind.HTTP, 80, "/", 200));
    }

    @Test
    void withoutStatusCommandOrCheckTheCommandIsMissing() {
        rejected("""
                  versionPattern: "^version (\\\\S+)$"
                """, "demo.yaml:6: missing 'command'");
    }

    @Test
    void aCheckAloneMustStillSayWhichVersionRuns() {
        rejected("""
                  versionPattern: "^version (\\\\S+)$"
                  check:
                    tcp: {port: 5432}
                """, "demo.yaml:6: missing 'versionCommand': with only a check, a command must say which version runs");
    }

    @Test
    void aCheckNeedsExactlyOneKind() {
        rejected("""
                  versionCommand: "db --version"
                  versionPattern: "^db (\\\\S+)$"
                  check:
                    tcp: {port: 5432}
                    http: {port: 80}
                """, "demo.yaml:9: health.check needs exactly one of 'tcp' or 'http'");
    }

    @Test
    void badPortsPathsAndStatusesAreNamedWithTheirLine() {
        String base = """
                  versionCommand: "db --version"
                  versionPattern: "^db (\\\\S+)$"
                  check:
                """;
        rejected(base + "    tcp: {port: 70000}\n", "demo.yaml:9: port must be 1-65535, got 70000");
        rejected(base + "    tcp: {}\n", "demo.yaml:9: missing 'port'");
        rejected(base + "    http: {port: 80, path: health}\n", "demo.yaml:9: path must start with '/', got 'health'");
        rejected(base + "    http: {port: 80, expectStatus: 42}\n",
                "demo.yaml:9: expectStatus must be an HTTP status (100-599), got 42");
        rejected(base + "    udp: {port: 53}\n",
                "demo.yaml:9: unknown key 'udp' in health.check (allowed: http, tcp)");
    }

    @Test
    void timingMistakesAreNamedWithTheirLine() {
        String base = """
                  command: "svc status"
                  activePattern: "^up$"
                  versionPattern: "^version (\\\\S+)$"
                """;
        rejected(base + "  interval: soon\n", "demo.yaml:9: interval 'soon' is not an ISO 8601 duration like PT30S or PT5M");
        rejected(base + "  jitter: PT0S\n", "demo.yaml:9: jitter must be positive, got PT0S");
        rejected(base + "  interval: PT1S\n  probeTimeout: PT2S\n",
                "demo.yaml:10: probeTimeout (PT2S) must not be longer than interval (PT1S)");
        rejected(base + "  stableFor: PT10M\n",
                "demo.yaml:9: stableFor (PT10M) must be shorter than timeout (PT5M), or no node could ever become active in time");
        rejected(base + "  stableProbes: 0\n", "demo.yaml:9: stableProbes must be at least 1, got 0");
    }

    @Test
    void anActivePatternWithoutStatusCommandIsRefused() {
        rejected("""
                  activePattern: "^up$"
                  versionCommand: "db --version"
                  versionPattern: "^db (\\\\S+)$"
                  check:
                    tcp: {port: 5432}
                """, "demo.yaml:6: activePattern needs a status 'command' to match");
    }
}
