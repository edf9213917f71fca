package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.LocalBaton;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fleet management without Java: the {@code UpgradeRequested} example of the root README is
 * published on {@code baton.requests.v1} by the {@code kcat} binary, in CloudEvents binary mode
 * ({@code ce_*} headers, JSON value, key = clusterId), and the four packaged services carry the
 * upgrade out. Skipped when {@code kcat} is not installed, unless {@code BATON_REQUIRE_KCAT=1}.
 */
class KcatUpgradeSystemIT {
    private static final String FLEET = """
            sshUser: root
            rebootDowntime: PT1S
            clusters:
              - id: kcat-matrix
                product: matrix-server
                version: 3.5.0
                nodes:
                  - {name: srv1, clusterAddress: 10.10.1.1}
                  - {name: srv2, clusterAddress: 10.10.1.10}
                  - {name: srv3, clusterAddress: 10.10.1.9}
            """;

    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.ofYaml("kcat-it", FLEET).requires(KcatUpgradeSystemIT::requireKcat);
    private static LocalBaton baton;
    private static Path workDir;
    private static Path repoRoot;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
        workDir = WORLD.workDir();
        repoRoot = WORLD.repoRoot();
    }

    @Test
    void theReadmeUpgradeRequestPublishedWithKcatIsCarriedOut() throws Exception {
        // the README's example, aimed at this test's cluster, with a request id of its own
        ObjectNode request = (ObjectNode) BatonJson.mapper().readTree(readmeExample(repoRoot.resolve("README.md")));
        String requestId = UUID.randomUUID().toString();
        request.put("clusterId", "kcat-matrix").put("requestId", requestId);
        String target = request.path("targetVersion").asText();
        Path message = Files.writeString(workDir.resolve("request.json"), request.toString(), StandardCharsets.UTF_8);

        List<String> command = List.of(kcat(), "-P", "-b", baton.kafka().bootstrapServers(), "-t", "baton.requests.v1",
                "-k", "kcat-matrix",
                "-H", "ce_specversion=1.0",
                "-H", "ce_id=" + UUID.randomUUID(),
                "-H", "ce_type=dev.baton.UpgradeRequested.v1",
                "-H", "ce_source=/fleet-manager",
                "-H", "ce_subject=kcat-matrix",
                "-H", "ce_time=" + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "-H", "ce_clusterid=kcat-matrix",
                "-H", "ce_actor=fleet-manager",
                "-H", "content-type=application/json",
                message.toString());
        Process kcat = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("kcat.log").toFile()).start();
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        assertThat(kcat.exitValue()).as("kcat exit status; output: %s", Files.readString(workDir.resolve("kcat.log")))
                .isZero();

        // the planner read it as an UpgradeRequested (not a dead letter) and the rollout completed
        await().atMost(Duration.ofSeconds(30)).until(() -> baton.eventLog().events(UpgradeRequested.class).stream()
                .anyMatch(r -> r.requestId().equals(requestId)));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished("kcat-matrix"));
        assertThat(baton.eventLog().events(RolloutAccepted.class)).anySatisfy(a -> {
            assertThat(a.requestId()).isEqualTo(requestId);
            assertThat(a.requestedBy()).isEqualTo(request.path("requestedBy").asText());
        });
        assertThat(baton.eventLog().events(RolloutCompleted.class)).extracting(RolloutCompleted::clusterId)
                .contains("kcat-matrix");
        assertThat(baton.fleet().nodes("kcat-matrix")).extracting(SimulatedNode::runningVersion).containsOnly(target);
    }

    /** The JSON under the {@code upgrade-requested-example} marker of the README. */
    static String readmeExample(Path readme) throws IOException {
        Matcher m = Pattern.compile("<!-- upgrade-requested-example[^>]*-->\\s*```json\\s*\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(Files.readString(readme));
        if (!m.find()) {
            throw new AssertionError(readme + " has no ```json block after <!-- upgrade-requested-example -->");
        }
        return m.group(1).strip();
    }

    private static void requireKcat() {
        if (kcat() == null) {
            if ("1".equals(System.getenv("BATON_REQUIRE_KCAT"))) {
                fail("kcat is not installed (Debian: apt-get install kcat) and BATON_REQUIRE_KCAT=1");
            }
            Assumptions.abort("kcat is not installed (Debian: apt-get install kcat): skipping; "
                    + "set BATON_REQUIRE_KCAT=1 to make this a failure");
        }
    }

    private static String kcat() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("kcat", "kafkacat")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }
}
