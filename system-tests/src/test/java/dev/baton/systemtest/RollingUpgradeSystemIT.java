package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutEvent;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.sandbox.fleet.SimulatedNode;
import dev.baton.sandbox.world.EventLog;
import dev.baton.sandbox.world.LocalBaton;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.sandbox.world.ServiceProcess;
import java.math.BigInteger;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The four packaged services run as separate processes against the sandbox (real Kafka, real
 * PostgreSQL, real SSH nodes) and roll a 3-node Dolphin cluster from 5.20.0 to 5.21.0 and a
 * 4-node Matrix cluster from 3.5.0 to 3.5.1. Everything is checked from what a user sees: the
 * Kafka topics read back with a plain consumer, the nodes themselves, and the audit REST API.
 */
class RollingUpgradeSystemIT {
    @RegisterExtension
    static final SystemWorld WORLD = SystemWorld.of("system-it", "/fleets/system-it.yaml")
            .notAwaitingActive("matrix-ooo"); // out of order by hand: two of its nodes have left the matrix
    private static LocalBaton baton;

    @BeforeAll
    static void world() {
        baton = WORLD.baton();
    }

    @Test
    void dolphinAndMatrixClustersRollToTheTargetOneNodeAtATimeInPlanOrder() throws Exception {
        ClusterRegistered dolphin = cluster("dolphin-lab");
        ClusterRegistered matrix = cluster("matrix-prod");

        request(dolphin, "5.21.0");
        request(matrix, "3.5.1");
        EventLog log = baton.eventLog();
        awaitFinished("dolphin-lab");
        awaitFinished("matrix-prod");
        assertThat(log.events(RolloutCompleted.class)).extracting(RolloutEvent::clusterId)
                .contains("dolphin-lab", "matrix-prod");

        // Matrix: highest address the matrix knows first, compared numerically; never the SSH address
        List<String> matrixOrder = matrix.nodes().stream()
                .sorted(Comparator.comparing((ClusterRegistered.Node n) -> numeric(n.clusterAddress())).reversed())
                .map(ClusterRegistered.Node::name).toList();
        assertThat(matrixOrder).containsExactly("srv2", "srv1", "srv3", "srv4");
        RolloutPlanned matrixPlan = plan("matrix-prod");
        assertThat(matrixPlan.nodes()).extracting(RolloutPlanned.PlannedNode::clusterAddress)
                .containsExactly("10.10.1.10", "10.10.1.9", "10.10.1.2", "10.10.1.1");
        assertRolledInOrder("matrix-prod", matrixOrder, "3.5.1");
        // the SSH endpoint is another interface than the one the matrix orders by
        assertThat(log.events(NodeCommand.class).stream().filter(c -> c.clusterId().equals("matrix-prod")))
                .allSatisfy(c -> assertThat(c.target().host()).isEqualTo(matrix.node(c.nodeName()).sshHost())
                        .startsWith("127.77."));

        List<String> dolphinOrder = plan("dolphin-lab").nodes().stream().map(RolloutPlanned.PlannedNode::nodeName).toList();
        assertThat(dolphinOrder).containsExactly("dx1", "dx2", "dx3");
        assertRolledInOrder("dolphin-lab", dolphinOrder, "5.21.0");

        // every message on a baton.* topic is stored exactly once by the audit service
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(baton.auditedCount()).isEqualTo(log.publishedCount()));
        // the compliance report of the Matrix rollout: each node's version before and after, the mixed-version window
        String matrixRollout = plan("matrix-prod").rolloutId();
        URI reportUri = URI.create(baton.services().service("audit-service").baseUrl() + "/api/v1/audit/rollouts/"
                + matrixRollout + "/report");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(reportUri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode report = BatonJson.mapper().readTree(response.body());
        assertThat(report.path("nodes")).hasSize(4).allSatisfy(node -> {
            assertThat(node.path("versionBefore").asText()).isEqualTo("3.5.0");
            assertThat(node.path("versionAfter").asText()).isEqualTo("3.5.1");
        });
        JsonNode mixed = report.path("mixedVersionDuration");
        assertThat(mixed.isNumber() ? Duration.ofMillis((long) (mixed.asDouble() * 1000)) : Duration.parse(mixed.asText()))
                .as("mixed-version window of matrix-prod").isPositive();
        assertThat(report.path("outcome").toString()).contains("COMPLETED");
        System.out.printf("[system-it] rolled dolphin-lab %s and matrix-prod %s; %d messages published, %d audited%n",
                dolphinOrder, matrixOrder, log.publishedCount(), baton.auditedCount());
    }

    @Test
    void aNodeWhoseHostKeyChangedIsNeverActedOnAndTheRolloutHalts() {
        SimulatedNode first = baton.fleet().node("dolphin-edge", "e1");
        SimulatedNode second = baton.fleet().node("dolphin-edge", "e2");
        EventLog log = baton.eventLog();

        request(cluster("dolphin-edge"), "5.21.0");
        // e1's first step is slowed down, so e2's host key changes long before e2's turn
        await().atMost(Duration.ofSeconds(30)).until(() -> log.events(RolloutAccepted.class).stream()
                .anyMatch(a -> a.clusterId().equals("dolphin-edge")));
        second.changeHostKey();
        int commandsBefore = second.commandLog().size();
        awaitFinished("dolphin-edge");

        RolloutHalted halted = log.events(RolloutHalted.class).stream().filter(h -> h.clusterId().equals("dolphin-edge"))
                .findFirst().orElseThrow(() -> new AssertionError("dolphin-edge did not halt"));
        assertThat(halted.nodeName()).isEqualTo("e2");
        assertThat(halted.code()).isEqualTo("HOST_KEY_MISMATCH");
        assertThat(log.events(StepFailed.class).stream().filter(f -> f.clusterId().equals("dolphin-edge")))
                .singleElement().satisfies(f -> {
                    assertThat(f.nodeName()).isEqualTo("e2");
                    assertThat(f.errorCode()).isEqualTo("HOST_KEY_MISMATCH");
                });
        // nothing ran on e2 once its key changed: not the step, not even a health probe
        assertThat(second.commandLog()).hasSize(commandsBefore);
        assertThat(second.commandLog()).noneMatch(c -> c.contains("Dolphin_eXpressWare") || c.contains("dis_services stop"));
        assertThat(second.runningVersion()).isEqualTo("5.20.0");
        assertThat(first.runningVersion()).isEqualTo("5.21.0");
        // after the halt no further command is sent for the cluster
        long commands = log.events(NodeCommand.class).stream().filter(c -> c.clusterId().equals("dolphin-edge")).count();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> log.events(NodeCommand.class)
                .stream().filter(c -> c.clusterId().equals("dolphin-edge")).count() == commands);
    }

    @Test
    void theSshPrivateKeyAppearsInNoLogNoEventAndNotInTheAuditStore() throws Exception {
        // whatever ran before (at least the registrations, the health picture and the services' start-up)
        String key = Files.readString(baton.fleet().clientPrivateKey());
        List<String> secrets = key.lines().filter(line -> !line.startsWith("-----") && line.length() >= 16).toList();
        assertThat(secrets).as("the private key's base64 lines").isNotEmpty();

        for (ServiceProcess service : baton.services().all()) {
            String log = Files.readString(service.log());
            assertThat(secrets).as("%s's log", service.module()).noneMatch(log::contains);
        }
        String events = baton.eventLog().entries().stream().map(e -> String.valueOf(e.event()))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(secrets).as("events on the baton.* topics").noneMatch(events::contains);
        for (ClusterRegistered cluster : baton.fleet().registrations()) {
            URI audit = URI.create(baton.services().service("audit-service").baseUrl()
                    + "/api/v1/audit/events?limit=1000&clusterId=" + cluster.clusterId());
            HttpResponse<String> stored = HttpClient.newHttpClient().send(HttpRequest.newBuilder(audit).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
            assertThat(stored.body()).as("the audit store's events of %s", cluster.clusterId()).contains("ClusterRegistered");
            assertThat(secrets).as("the audit store").noneMatch(stored.body()::contains);
        }
    }

    // ---- issue 16: forced rollouts and the way back from a failure (retry, skip), through the REST API --------------

    @Test
    void aForcedDolphinDowngradeInstallsWithEnforceAndCompletes() throws Exception {
        String rolloutId = requestAndAwaitRollout(new UpgradeRequested(java.util.UUID.randomUUID().toString(),
                "dolphin-down", "5.20.0", 1, null, null, null, true, false, List.of(), false, "ops"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished("dolphin-down"));

        assertThat(baton.eventLog().rolloutCompleted("dolphin-down")).as(outcome("dolphin-down")).isTrue();
        assertThat(commands(rolloutId)).filteredOn(c -> c.step().equals("install")).hasSize(2)
                .allSatisfy(c -> assertThat(c.command()).endsWith("--install-node --use-rpms . --enforce"));
        for (SimulatedNode node : baton.fleet().nodes("dolphin-down")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("5.20.0");
        }
    }

    @Test
    void aNodeWhoseInstallFailedRetriedOnceTheFaultIsGoneLetsTheRolloutComplete() throws Exception {
        request(cluster("dolphin-retry"), "5.21.0");
        RolloutHalted halted = awaitHalted("dolphin-retry");
        assertThat(halted.nodeName()).isEqualTo("rd1");
        assertThat(halted.message()).contains("not enough space");
        SimulatedNode rd1 = baton.fleet().node("dolphin-retry", "rd1");
        assertThat(rd1.runningVersion()).as("rd1 after the failed install").isNotEqualTo("5.21.0");

        // the retry of a node that is not failed is refused, naming the node
        assertThat(post(halted.rolloutId(), "rd2", "retry").statusCode()).isEqualTo(409);
        rd1.faults().failCommand("--install-node", null); // the operator made room on /opt
        assertThat(post(halted.rolloutId(), "rd1", "retry").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutCompleted("dolphin-retry"));

        List<NodeCommand> installs = commands(halted.rolloutId()).stream()
                .filter(c -> c.nodeName().equals("rd1") && c.step().equals("install")).toList();
        assertThat(installs).hasSize(2);
        assertThat(installs.get(1).commandId()).isNotEqualTo(installs.get(0).commandId());
        assertThat(installs.get(1).attempt()).isGreaterThan(installs.get(0).attempt());
        // what ran on the node: the failed install, then the retried one, each once
        assertThat(rd1.executed()).filteredOn(line -> line.startsWith("sh ./Dolphin_eXpressWare-")
                && line.contains("--install-node")).hasSize(2);
        for (SimulatedNode node : baton.fleet().nodes("dolphin-retry")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("5.21.0");
        }
        assertThat(baton.eventLog().events(dev.baton.contracts.RolloutResumed.class))
                .anySatisfy(r -> assertThat(r.code()).isEqualTo("RETRY"));
    }

    @Test
    void aSkippedNodeLetsTheRolloutCompleteWithTheSkipListedInTheEventAndTheReport() throws Exception {
        request(cluster("dolphin-skip"), "5.21.0");
        RolloutHalted halted = awaitHalted("dolphin-skip");
        assertThat(halted.nodeName()).isEqualTo("sk1");

        assertThat(post(halted.rolloutId(), "sk1", "skip").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutCompleted("dolphin-skip"));

        RolloutCompleted completed = baton.eventLog().events(RolloutCompleted.class).stream()
                .filter(c -> c.clusterId().equals("dolphin-skip")).findFirst().orElseThrow();
        assertThat(completed.skipped()).containsExactly("sk1");
        assertThat(baton.fleet().node("dolphin-skip", "sk2").runningVersion()).isEqualTo("5.21.0");
        assertThat(baton.fleet().node("dolphin-skip", "sk1").runningVersion()).isNotEqualTo("5.21.0");
        URI reportUri = URI.create(baton.services().service("audit-service").baseUrl() + "/api/v1/audit/rollouts/"
                + halted.rolloutId() + "/report");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(reportUri).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode report = BatonJson.mapper().readTree(response.body());
            assertThat(report.path("outcome").path("status").asText()).isEqualTo("COMPLETED");
            assertThat(report.path("outcome").path("skipped").toString()).isEqualTo("[\"sk1\"]");
        });
    }

    @Test
    void aClusterUpgradedOutOfOrderByHandIsRemediedAndEndsWithTheStartOfTheOutOfOrderNode() throws Exception {
        SimulatedNode mo2 = baton.fleet().node("matrix-ooo", "mo2");
        assertThat(mo2.active()).as("mo2 left the matrix (the hand-made out-of-order state)").isFalse();

        request(cluster("matrix-ooo"), "3.5.1");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished("matrix-ooo"));

        assertThat(baton.eventLog().rolloutCompleted("matrix-ooo")).as(outcome("matrix-ooo")).isTrue();
        String rolloutId = plan("matrix-ooo").rolloutId();
        assertThat(baton.eventLog().events(dev.baton.contracts.OutOfOrderDetected.class))
                .anySatisfy(o -> assertThat(o.nodeName()).isEqualTo("mo1"));
        List<NodeCommand> sent = commands(rolloutId);
        assertThat(sent.get(0)).satisfies(c -> assertThat(c.nodeName() + ":" + c.command()).isEqualTo("mo1:pmxs stop"));
        assertThat(sent.get(sent.size() - 1)).satisfies(c -> assertThat(c.nodeName() + ":" + c.command())
                .isEqualTo("mo1:pmxs start"));
        for (SimulatedNode node : baton.fleet().nodes("matrix-ooo")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("3.5.1");
            assertThat(node.active()).as("%s active", node.name()).isTrue();
        }
    }

    @Test
    void theClustersHooksStopItsApplicationsBeforeTheFirstDisruptiveStepAndStartThemOnceTheNodeIsActive() {
        request(cluster("dolphin-apps"), "5.21.0");
        awaitFinished("dolphin-apps");

        assertThat(baton.eventLog().rolloutCompleted("dolphin-apps")).as(outcome("dolphin-apps")).isTrue();
        String rolloutId = plan("dolphin-apps").rolloutId();
        for (SimulatedNode node : baton.fleet().nodes("dolphin-apps")) {
            List<String> steps = commands(rolloutId).stream().filter(c -> c.nodeName().equals(node.name()))
                    .map(NodeCommand::step).toList();
            assertThat(steps).as("commands sent to %s", node.name()).containsSubsequence(
                    "hook-before-disruption", "stop-services", "install", "hook-after-active")
                    .doesNotContain("reboot", "remedy-reboot")
                    .endsWith("hook-after-active");
            // on the node itself: the application stopped before the services (so they could stop: no reboot needed),
            // started again after the update
            List<String> ran = node.executed().stream().filter(line -> line.startsWith("service sockets-db")
                    || line.equals("dis_services stop") || line.contains("--install-node")).toList();
            assertThat(ran).as("what ran on %s", node.name()).containsExactly("service sockets-db stop",
                    "dis_services stop", "sh ./Dolphin_eXpressWare-5.21.0.sh --install-node --use-rpms .",
                    "service sockets-db start");
            assertThat(node.runningVersion()).isEqualTo("5.21.0");
        }
        // the plan explains it: the hooks where they run, rendered
        assertThat(plan("dolphin-apps").nodes().get(0).plannedSteps()).extracting(RolloutPlanned.PlannedStep::name)
                .containsExactly("build-rpm", "hook-before-disruption", "stop-services", "install", "hook-after-active");
    }

    @Test
    void dolphinServicesThatRefuseToStopOrFailToStartAfterTheInstallAreRebootedAndTheRolloutCompletes() {
        request(cluster("dolphin-paths"), "5.21.0");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished("dolphin-paths"));

        assertThat(baton.eventLog().rolloutCompleted("dolphin-paths")).as(outcome("dolphin-paths")).isTrue();
        List<NodeCommand> sent = commands(plan("dolphin-paths").rolloutId());
        // ns1: stop-services failed with require-reboot, so the install went on and the node was rebooted after it
        assertThat(sent.stream().filter(c -> c.nodeName().equals("ns1")).map(NodeCommand::step))
                .containsSubsequence("stop-services", "install", "reboot").doesNotContain("remedy-reboot");
        // fs1: the updated services failed to start ("a reboot of the Cluster Node will fix the problem"): the install's
        // require-reboot meaning, so the node was rebooted after it
        assertThat(sent.stream().filter(c -> c.nodeName().equals("fs1")).map(NodeCommand::step))
                .containsSubsequence("stop-services", "install", "reboot").doesNotContain("remedy-reboot");
        assertThat(baton.fleet().node("dolphin-paths", "fs1").executed()).filteredOn(l -> l.contains("--install-node"))
                .hasSize(1);
        for (SimulatedNode node : baton.fleet().nodes("dolphin-paths")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("5.21.0");
            assertThat(node.active()).as("%s active", node.name()).isTrue();
        }
    }

    @Test
    void aCompletedRolloutIsRolledBackToTheRecordedFromVersionForcedWithEnforce() throws Exception {
        request(cluster("dolphin-back"), "5.21.0");
        awaitFinished("dolphin-back");
        assertThat(baton.eventLog().rolloutCompleted("dolphin-back")).as(outcome("dolphin-back")).isTrue();
        String upgrade = plan("dolphin-back").rolloutId();

        // what baton rollback --yes does after its dry run: POST /api/v1/rollouts/{id}/rollback
        URI uri = URI.create(baton.services().service("planner-service").baseUrl() + "/api/v1/rollouts/" + upgrade
                + "/rollback?requestedBy=ops");
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        String requestId = BatonJson.mapper().readTree(answer.body()).path("requestId").asText();
        String rollback = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().events(RolloutAccepted.class).stream()
                        .filter(a -> requestId.equals(a.requestId())).map(RolloutAccepted::rolloutId)
                        .findFirst().orElse(null), java.util.Objects::nonNull);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> baton.eventLog()
                .events(RolloutCompleted.class).stream().anyMatch(c -> c.rolloutId().equals(rollback)));

        assertThat(commands(rollback)).filteredOn(c -> c.step().equals("install")).hasSize(2)
                .allSatisfy(c -> assertThat(c.command()).isEqualTo(
                        "sh ./Dolphin_eXpressWare-5.20.0.sh --install-node --use-rpms . --enforce"));
        for (SimulatedNode node : baton.fleet().nodes("dolphin-back")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("5.20.0");
            assertThat(node.active()).as("%s active", node.name()).isTrue();
        }
    }

    /**
     * The simulator's PSFS rule ("After the PSFS filesystem has been unmounted on the last node running the older
     * release, the filesystem cannot be mounted on a node running the older release unless it is first unmounted on the
     * nodes running 3.5.1") is what the guard must keep: ps1 (old, last in the order) has PSFS unmounted; once ps3 runs
     * 3.5.1 with PSFS mounted, stopping ps2 (the last old node that has it) would leave ps1 unable to mount it.
     */
    @Test
    void theLastOldNodeWithPsfsMountedIsNotStoppedWhileAnotherOldNodeCouldNoLongerMountIt() {
        SimulatedNode ps1 = baton.fleet().node("matrix-psfs", "ps1");
        assertThat(ps1.console("psfs umount").exitCode()).isZero();
        EventLog log = baton.eventLog();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> log.events(
                MembershipObserved.class).stream().filter(m -> m.clusterId().equals("matrix-psfs")).reduce((a, b) -> b)
                .map(m -> m.members().stream().anyMatch(n -> "ps1".equals(n.nodeName())
                        && Boolean.FALSE.equals(n.holdsSharedResource()))).orElse(false));

        request(cluster("matrix-psfs"), "3.5.1");
        GuardBlocked blocked = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> log.events(GuardBlocked.class).stream().filter(g -> g.clusterId().equals("matrix-psfs")
                        && g.code().equals("SHARED_RESOURCE")).findFirst().orElse(null), java.util.Objects::nonNull);
        assertThat(blocked.nodeName()).isEqualTo("ps2");
        assertThat(baton.fleet().node("matrix-psfs", "ps3").runningVersion()).isEqualTo("3.5.1");
        assertThat(log.events(NodeCommand.class)).noneMatch(c -> c.clusterId().equals("matrix-psfs")
                && c.nodeName().equals("ps2"));
        // what the guard kept: ps1 can still mount PSFS (the operator does, as the message says)
        dev.baton.sandbox.fleet.CommandResult mount = ps1.console("psfs mount");
        assertThat(mount.exitCode()).as(mount.output()).isZero();

        awaitFinished("matrix-psfs");
        assertThat(log.rolloutCompleted("matrix-psfs")).as(outcome("matrix-psfs")).isTrue();
        for (SimulatedNode node : baton.fleet().nodes("matrix-psfs")) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo("3.5.1");
            assertThat(node.console("psfs status").exitCode()).as("PSFS mounted on %s", node.name()).isZero();
        }
    }

    /** The cluster's rollout, once it has ended: it must have halted. */
    private static RolloutHalted awaitHalted(String clusterId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished(clusterId));
        return baton.eventLog().events(RolloutHalted.class).stream().filter(h -> h.clusterId().equals(clusterId))
                .findFirst().orElseThrow(() -> new AssertionError(clusterId + " did not halt"));
    }

    private static String requestAndAwaitRollout(UpgradeRequested request) {
        baton.fleetManagement().publish(request);
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().events(RolloutAccepted.class).stream()
                        .filter(a -> request.requestId().equals(a.requestId())).map(RolloutAccepted::rolloutId)
                        .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private static List<NodeCommand> commands(String rolloutId) {
        return baton.eventLog().events(NodeCommand.class).stream().filter(c -> rolloutId.equals(c.rolloutId())).toList();
    }

    private static String outcome(String clusterId) {
        return baton.eventLog().events(RolloutHalted.class).stream().filter(h -> h.clusterId().equals(clusterId))
                .map(h -> "halted: " + h.code() + " " + h.message()).findFirst().orElse("not halted");
    }

    /** POST /api/v1/rollouts/{id}/nodes/{node}/{action} on the planner, as {@code baton retry|skip} does. */
    private static HttpResponse<String> post(String rolloutId, String node, String action) throws Exception {
        URI uri = URI.create(baton.services().service("planner-service").baseUrl() + "/api/v1/rollouts/" + rolloutId
                + "/nodes/" + node + "/" + action + "?requestedBy=ops");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitFinished(String clusterId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> baton.eventLog().rolloutFinished(clusterId));
    }

    /**
     * Nodes started in plan order, each reached the target (as published and as the node itself runs),
     * and no node's first command was published before its predecessor's NodeActive on the target.
     */
    private static void assertRolledInOrder(String clusterId, List<String> expectedOrder, String target) {
        EventLog log = baton.eventLog();
        assertThat(log.events(NodeUpgradeStarted.class).stream().filter(e -> e.clusterId().equals(clusterId))
                .map(NodeUpgradeStarted::nodeName)).containsExactlyElementsOf(expectedOrder);
        assertThat(log.events(NodeUpgraded.class).stream().filter(e -> e.clusterId().equals(clusterId)))
                .extracting(NodeUpgraded::nodeName, NodeUpgraded::runningVersion)
                .containsExactlyElementsOf(expectedOrder.stream().map(n -> org.assertj.core.groups.Tuple.tuple(n, target)).toList());
        for (SimulatedNode node : baton.fleet().nodes(clusterId)) {
            assertThat(node.runningVersion()).as("version running on %s", node.name()).isEqualTo(target);
        }
        for (int i = 1; i < expectedOrder.size(); i++) {
            String previous = expectedOrder.get(i - 1);
            String next = expectedOrder.get(i);
            EventLog.Entry previousActive = log.entriesOf(NodeActive.class).stream()
                    .filter(e -> e.event().clusterId().equals(clusterId) && e.event().nodeName().equals(previous)
                            && target.equals(((NodeActive) e.event()).runningVersion()))
                    .findFirst().orElseThrow(() -> new AssertionError(previous + " never reported active on " + target));
            EventLog.Entry firstCommand = log.entriesOf(NodeCommand.class).stream()
                    .filter(e -> e.event().clusterId().equals(clusterId) && e.event().nodeName().equals(next))
                    .findFirst().orElseThrow(() -> new AssertionError("no command for " + next));
            assertThat(firstCommand.timestamp()).as("first command of %s vs NodeActive of %s", next, previous)
                    .isAfterOrEqualTo(previousActive.timestamp());
        }
    }

    private static ClusterRegistered cluster(String clusterId) {
        return baton.fleet().registrations().stream().filter(c -> c.clusterId().equals(clusterId)).findFirst().orElseThrow();
    }

    private static RolloutPlanned plan(String clusterId) {
        return baton.eventLog().events(RolloutPlanned.class).stream().filter(p -> p.clusterId().equals(clusterId))
                .findFirst().orElseThrow();
    }

    private static void request(ClusterRegistered cluster, String target) {
        baton.fleetManagement().requestUpgrade(cluster.clusterId(), target);
    }

    private static BigInteger numeric(String address) {
        try {
            return new BigInteger(1, InetAddress.getByName(address).getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(address, e);
        }
    }
}
