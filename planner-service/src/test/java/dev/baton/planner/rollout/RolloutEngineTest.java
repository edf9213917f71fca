package dev.baton.planner.rollout;

import static dev.baton.planner.rollout.EngineHarness.failure;
import static dev.baton.planner.rollout.EngineHarness.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.FailureCode;
import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.fixtures.ClusterRegistrations;
import dev.baton.procedure.ProcedureCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One scenario per test; each asserts the exact order of what the planner sends and publishes. */
class RolloutEngineTest {
    private static final String EXIT_STATUS = FailureCode.EXIT_STATUS.name();
    final EngineHarness h = harness();

    /** The harness of every scenario that uses the shipped procedures. */
    EngineHarness harness() {
        return new EngineHarness();
    }

    /** The reference's example: srv3 (10.10.1.3) first, although its other interface (10.10.2.1) is the lowest. */
    static ClusterRegistered referenceMatrix() {
        List<ClusterRegistered.Node> nodes = List.of(
                node("srv1", "10.10.2.3", "10.10.1.1"),
                node("srv2", "10.10.2.2", "10.10.1.2"),
                node("srv3", "10.10.2.1", "10.10.1.3"));
        return ClusterRegistrations.cluster("matrix-prod", "matrix-server").nodes(nodes).build();
    }

    static ClusterRegistered.Node node(String name, String ssh, String clusterAddress) {
        return ClusterRegistrations.nodeWith(name, ssh, n -> n.clusterAddress(clusterAddress).addresses(clusterAddress, ssh)
                .platform("x86_64", "rhel-9"));
    }

    static ClusterRegistered dolphin(int count) {
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            nodes.add(node("dx" + n, "127.77.1." + n, "192.168.7." + n));
        }
        return ClusterRegistrations.cluster("dolphin-lab", "dolphin-expressware").nodes(nodes).build();
    }

    static ClusterRegistered matrix(int count) {
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            nodes.add(node("srv" + n, "127.77.2." + n, "10.10.1." + n));
        }
        return ClusterRegistrations.cluster("matrix-prod", "matrix-server").nodes(nodes).build();
    }

    private static List<String> steps(String node, String... steps) {
        List<String> out = new ArrayList<>();
        for (String step : steps) {
            out.add(node + ":" + step);
        }
        return out;
    }

    private static List<String> concat(List<List<String>> parts) {
        return parts.stream().flatMap(List::stream).toList();
    }

    // ---- ordering --------------------------------------------------------------------------

    @Test
    void referenceExampleUpgradesSrv3FirstByTheAddressTheMatrixKnows() {
        h.registerAllActive(referenceMatrix(), "3.5.0");
        h.membership("matrix-prod", Map.of("srv1", "10.10.1.1", "srv2", "10.10.1.2", "srv3", "10.10.1.3"));
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                steps("srv3", "stop", "install", "start"),
                steps("srv2", "stop", "install", "start"),
                steps("srv1", "stop", "install", "start"))));
        assertThat(h.commands()).first().satisfies(c -> assertThat(c.target().host()).isEqualTo("10.10.2.1"));
        assertThat(h.eventNames()).endsWith("NodeUpgraded(srv1)", "MixedVersionWindowClosed", "RolloutCompleted");
    }

    @Test
    void addressesAreComparedAsNumbersSoPointTenComesBeforePointNine() {
        h.registerAllActive(matrix(2), "3.5.0");
        h.membership("matrix-prod", Map.of("srv1", "10.10.1.10", "srv2", "10.10.1.9"));
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                steps("srv1", "stop", "install", "start"), steps("srv2", "stop", "install", "start"))));
    }

    @Test
    void nextNodeStartsOnlyAfterThePreviousIsActiveOnTheTarget() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.loadsOnlyAfterReboot.add("dx1"); // installed but not loaded: health keeps seeing 5.20.0
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(2);

        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:stop-services", "dx1:install");
        assertThat(h.view().waitingFor()).isEqualTo("health: dx1 active on 5.21.0");
    }

    @Test
    void labelOrderingRanksLowestFirst(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("ranked.yaml"), """
                name: ranked
                ordering:
                  policy: label
                  label: rank
                steps:
                  - name: upgrade
                    command: "upgrade ${targetVersion}"
                health:
                  command: "status"
                  activePattern: "^up$"
                  versionPattern: "^v(\\\\S+)$"
                """);
        EngineHarness ranked = new EngineHarness(ProcedureCatalog.withUserFolder(dir));
        ranked.registerAllActive(ClusterRegistrations.cluster("web", "ranked").product("web")
                .node("a", "h1", n -> n.ssh(22, "u").platform("x", "y").label("rank", "10"))
                .node("b", "h2", n -> n.ssh(22, "u").platform("x", "y").label("rank", "9"))
                .node("c", "h3", n -> n.ssh(22, "u").platform("x", "y"))
                .build(), "1.0");
        ranked.request(upgrade("web", "1.1"));
        ranked.drive(5);

        assertThat(ranked.commandOrder()).containsExactly("b:upgrade", "a:upgrade", "c:upgrade");
    }

    // ---- failures and remedies --------------------------------------------------------------

    @Test
    void servicesThatWontStopGetTheInstallThenAReboot() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("stop-services")
                ? failure(c, EXIT_STATUS, "dis_services: Dolphin SuperSockets drivers could not be stopped") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                steps("dx1", "build-rpm", "stop-services", "install", "reboot"),
                steps("dx2", "build-rpm", "stop-services", "install"))));
        assertThat(h.commands().get(3).kind()).isEqualTo(NodeCommand.Kind.REBOOT);
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void servicesThatFailToStartAreRebootedThenActive() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.loadsOnlyAfterReboot.add("dx1");
        h.scripts.put("dx1", c -> c.step().equals("install") ? failure(c, EXIT_STATUS,
                "Dolphin_eXpressWare-5.21.0.sh: the updated services failed to start; a reboot of the Cluster Node will"
                        + " fix the problem") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                steps("dx1", "build-rpm", "stop-services", "install", "reboot"),
                steps("dx2", "build-rpm", "stop-services", "install"))));
        assertThat(h.eventNames()).containsSubsequence("NodeCommand(dx1):reboot", "NodeUpgraded(dx1)",
                "NodeUpgradeStarted(dx2)");
    }

    @Test
    void aNodeThatNeverReturnsIsRebootedOnceThenTheRolloutHaltsAndNoOtherNodeIsTouched() {
        h.registerAllActive(dolphin(3), "5.20.0");
        h.neverActive.add("dx1");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(30);
        h.control(RolloutControl.Action.RESUME, null);
        h.drive(30);

        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:stop-services", "dx1:install",
                "dx1:remedy-reboot");
        assertThat(h.eventNames()).contains("RolloutHalted(dx1)", "RolloutResumed");
        // resumed, but dx1 still holds the only unit of budget: nobody else may go down
        assertThat(h.view().nodes()).filteredOn(n -> !n.nodeName().equals("dx1"))
                .allSatisfy(n -> assertThat(n.state()).isEqualTo(NodeState.PENDING));
        assertThat(h.view().nodes().get(0).note()).startsWith("HEALTH_TIMEOUT");
    }

    @Test
    void anOperatorReleaseFreesAFailedNodesBudget() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("install") ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);
        assertThat(h.eventNames()).contains("RolloutHalted(dx1)");

        h.control(RolloutControl.Action.RESUME, null);
        h.drive(5);
        assertThat(h.commandOrder()).noneMatch(c -> c.startsWith("dx2"));

        h.control(RolloutControl.Action.RELEASE, "dx1");
        h.drive(5);
        assertThat(h.commandOrder()).contains("dx2:stop-services", "dx2:install");
    }

    // ---- recovery: retry, skip, never RUNNING forever ------------------------------------------

    @Test
    void aFailedNodeRetriedOnceTheFaultIsGoneRunsItsFailedStepAsANewAttemptAndTheRolloutCompletes() {
        h.registerAllActive(dolphin(2), "5.20.0");
        boolean[] diskFull = {true};
        h.scripts.put("dx1", c -> c.step().equals("install") && diskFull[0] ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);
        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);

        diskFull[0] = false; // the operator made room
        h.control(RolloutControl.Action.RETRY, "dx1");
        h.drive(10);

        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:stop-services", "dx1:install", "dx1:install",
                "dx2:build-rpm", "dx2:stop-services", "dx2:install");
        List<String> ids = h.commands().stream().map(NodeCommand::commandId).toList();
        assertThat(ids).doesNotHaveDuplicates(); // a new attempt: the node's ledger runs it, once
        assertThat(h.commands().get(3).attempt()).isGreaterThan(h.commands().get(2).attempt());
        assertThat(h.eventNames()).contains("RolloutResumed(dx1)").endsWith("RolloutCompleted");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void aRetryFromTheStartRunsEveryStepAgainWithIdsNeverUsedBefore() {
        h.registerAllActive(dolphin(1), "5.20.0");
        int[] installs = {0};
        h.scripts.put("dx1", c -> c.step().equals("install") && installs[0]++ == 0 ? failure(c, EXIT_STATUS, "bad rpm") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);

        h.run(h.engine.onControl(new RolloutControl(h.rolloutId(), "dolphin-lab", RolloutControl.Action.RETRY, "dx1",
                "bob", true), EngineHarness.CAUSE));
        h.drive(10);

        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:stop-services", "dx1:install",
                "dx1:build-rpm", "dx1:stop-services", "dx1:install");
        assertThat(h.commands().stream().map(NodeCommand::commandId)).doesNotHaveDuplicates();
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void aSkippedFailedNodeLetsTheRolloutCompleteWithTheSkipListed() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("install") ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);

        h.control(RolloutControl.Action.SKIP, "dx1");
        h.drive(10);

        assertThat(h.commandOrder()).endsWith("dx2:build-rpm", "dx2:stop-services", "dx2:install");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.published).filteredOn(RolloutCompleted.class::isInstance).map(RolloutCompleted.class::cast)
                .singleElement().satisfies(c -> {
                    assertThat(c.skipped()).containsExactly("dx1");
                    assertThat(c.message()).contains("skipped by an operator").contains("dx1");
                });
        assertThat(h.view().nodes().get(0).note()).contains("skipped by bob");
    }

    @Test
    void aResumedRolloutWhoseFailedNodeHoldsTheBudgetHaltsAgainInsteadOfRunningForever() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("install") ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);

        h.control(RolloutControl.Action.RESUME, null);
        h.drive(30);

        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);
        assertThat(h.view().waitingFor()).contains("NODE_FAILED").contains("dx1");
        assertThat(h.eventNames()).endsWith("RolloutResumed", "GuardBlocked(dx2):BUDGET", "RolloutHalted(dx1)");

        // released, the others finish; the released node still keeps the rollout from completing, so it halts again
        h.control(RolloutControl.Action.RELEASE, "dx1");
        h.drive(30);
        assertThat(h.commandOrder()).contains("dx2:install");
        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);
        assertThat(h.view().waitingFor()).contains("retry or skip dx1");
    }

    @Test
    void aForcedDolphinDowngradeInstallsWithEnforceAndAPlainOneDoesNot() {
        h.registerAllActive(dolphin(1), "5.21.0");
        h.request(upgrade("dolphin-lab", "5.20.0").force());
        h.drive(10);

        assertThat(h.commands()).filteredOn(c -> c.step().equals("install")).singleElement()
                .satisfies(c -> assertThat(c.command()).endsWith("--install-node --use-rpms . --enforce"));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);

        EngineHarness plain = new EngineHarness();
        plain.registerAllActive(dolphin(1), "5.20.0");
        plain.request(upgrade("dolphin-lab", "5.21.0"));
        plain.drive(10);
        assertThat(plain.commands()).filteredOn(c -> c.step().equals("install")).singleElement()
                .satisfies(c -> assertThat(c.command()).endsWith("--install-node --use-rpms ."));
    }

    // ---- rollback: a new rollout back to the from-versions --------------------------------------

    @Test
    void aCompletedDolphinUpgradeRolledBackIsAForcedRolloutThatTakesEveryNodeBackWithEnforce() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);
        String upgrade = h.rolloutId();
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        int before = h.commands().size();
        int eventsBefore = h.published.size();

        h.rollback(upgrade, false);
        h.drive(10);

        RolloutView back = h.view();
        assertThat(back.rolloutId()).isNotEqualTo(upgrade);
        assertThat(back.requestId()).isEqualTo("rollback-of-" + upgrade);
        assertThat(back.targetVersion()).isEqualTo("5.20.0");
        assertThat(back.state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(back.nodes()).extracting(RolloutView.NodeView::fromVersion).containsOnly("5.21.0");
        assertThat(h.running).containsEntry("dx1", "5.20.0").containsEntry("dx2", "5.20.0");
        List<NodeCommand> rollbackCommands = h.commands().subList(before, h.commands().size());
        assertThat(rollbackCommands).extracting(NodeCommand::rolloutId).containsOnly(back.rolloutId());
        assertThat(rollbackCommands).extracting(c -> c.nodeName() + ":" + c.step()).containsExactly("dx1:build-rpm",
                "dx1:stop-services", "dx1:install", "dx2:build-rpm", "dx2:stop-services", "dx2:install");
        assertThat(rollbackCommands).filteredOn(c -> c.step().equals("install")).hasSize(2)
                .allSatisfy(c -> assertThat(c.command()).endsWith("--install-node --use-rpms . --enforce"));
        assertThat(h.published.subList(eventsBefore, h.published.size())).filteredOn(RolloutAccepted.class::isInstance)
                .map(RolloutAccepted.class::cast).singleElement().satisfies(a -> {
                    assertThat(a.requestId()).isEqualTo("rollback-of-" + upgrade);
                    assertThat(a.requestedBy()).isEqualTo("bob");
                });
        assertThat(requestOf(back.rolloutId())).satisfies(r -> {
            assertThat(r.force()).isTrue();
            assertThat(r.exclude()).isEmpty();
        });
    }

    @Test
    void aRollbackDryRunPlansTheWayBackAndSendsNothingThenTheRealOneRuns() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);
        String upgrade = h.rolloutId();
        int before = h.commands().size();
        int eventsBefore = h.published.size();

        h.rollback(upgrade, true);

        assertThat(h.eventNames().subList(eventsBefore, h.published.size()))
                .containsExactly("RolloutAccepted", "RolloutPlanned");
        RolloutPlanned plan = (RolloutPlanned) h.published.get(h.published.size() - 1);
        assertThat(plan.dryRun()).isTrue();
        assertThat(plan.targetVersion()).isEqualTo("5.20.0");
        assertThat(plan.nodes()).extracting(RolloutPlanned.PlannedNode::nodeName).containsExactly("dx1", "dx2");
        assertThat(h.view().state()).isEqualTo(RolloutState.PLANNED);
        assertThat(h.view().requestId()).isEqualTo("rollback-of-" + upgrade + "-dry-run");
        assertThat(h.commands()).hasSize(before);

        h.rollback(upgrade, false);
        h.drive(10);
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.running).containsEntry("dx1", "5.20.0").containsEntry("dx2", "5.20.0");
    }

    @Test
    void onlyTheNodesTheRolloutUpgradedGoBackTheOthersAreExcluded() {
        h.registerAllActive(dolphin(3), "5.20.0");
        h.active("dolphin-lab", "dx2", "5.21.0"); // already on the target: the upgrade skips it
        h.request(upgrade("dolphin-lab", "5.21.0").exclude("dx3"));
        h.drive(10);
        String upgrade = h.rolloutId();
        int before = h.commands().size();

        h.rollback(upgrade, false);
        h.drive(10);

        assertThat(h.commands().subList(before, h.commands().size())).extracting(NodeCommand::nodeName)
                .containsOnly("dx1");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.view().nodes()).filteredOn(n -> !n.nodeName().equals("dx1"))
                .allSatisfy(n -> assertThat(n.state()).isEqualTo(NodeState.SKIPPED));
        assertThat(requestOf(h.rolloutId()).exclude()).containsExactly("dx2", "dx3");
        assertThat(h.running).containsEntry("dx1", "5.20.0").containsEntry("dx2", "5.21.0")
                .containsEntry("dx3", "5.20.0");
    }

    @Test
    void aRollbackOfARolloutStillRunningIsRefusedAndDecidesNothingSoItCanBeAskedAgainOnceItEnds() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        String upgrade = h.rolloutId();

        h.rollback(upgrade, false);

        assertThat(rejections()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("ROLLBACK_NOT_FINISHED");
            assertThat(r.requestId()).isEqualTo("rollback-of-" + upgrade);
            assertThat(r.message()).contains(upgrade, "RUNNING", "only a finished rollout");
        });
        assertThat(h.eventNames()).containsOnlyOnce("RolloutAccepted");

        h.followed = upgrade; // the refusal's view is newer
        h.drive(10);
        h.followed = null;
        h.rollback(upgrade, false);
        h.drive(10);
        assertThat(h.view().requestId()).isEqualTo("rollback-of-" + upgrade);
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.view().targetVersion()).isEqualTo("5.20.0");
    }

    @Test
    void aRollbackOfARolloutThatUpgradedNothingIsRefused() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("install") ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(5);
        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);
        String halted = h.rolloutId();
        int commands = h.commands().size();

        h.rollback(halted, false);

        assertThat(rejections()).last().satisfies(r -> {
            assertThat(r.code()).isEqualTo("ROLLBACK_NOTHING_UPGRADED");
            assertThat(r.message()).contains(halted, "nothing to roll back");
        });
        assertThat(h.commands()).hasSize(commands);
    }

    @Test
    void aHaltedRolloutIsRolledBackAfterADryRunBesideItTheRealRollbackEndsItFirst() {
        h.registerAllActive(dolphin(3), "5.20.0");
        h.scripts.put("dx2", c -> c.step().equals("install") ? failure(c, EXIT_STATUS, "disk full") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);
        String halted = h.rolloutId();
        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);
        assertThat(h.view().nodes()).extracting(RolloutView.NodeView::state)
                .containsExactly(NodeState.DONE, NodeState.FAILED, NodeState.PENDING);
        h.scripts.remove("dx2");
        h.active("dolphin-lab", "dx2", "5.20.0"); // fixed by hand, back on its old version
        int before = h.commands().size();

        h.rollback(halted, true);
        assertThat(h.view().state()).isEqualTo(RolloutState.PLANNED);
        assertThat(h.engine.rollout(halted).orElseThrow().state()).isEqualTo(RolloutState.HALTED);

        h.rollback(halted, false);
        h.drive(10);

        assertThat(h.engine.rollout(halted).orElseThrow().state()).isEqualTo(RolloutState.ABORTED);
        assertThat(h.eventNames()).containsSubsequence("RolloutAborted", "RolloutAccepted", "RolloutPlanned");
        assertThat(h.commands().subList(before, h.commands().size())).extracting(NodeCommand::nodeName)
                .containsOnly("dx1");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.running).containsEntry("dx1", "5.20.0");
    }

    @Test
    void aRollbackOfNodesThatCameFromDifferentVersionsIsRefusedNamingThem() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.active("dolphin-lab", "dx2", "5.20.1");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);
        String upgrade = h.rolloutId();
        int commands = h.commands().size();

        h.rollback(upgrade, false);

        assertThat(rejections()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("ROLLBACK_MIXED_FROM_VERSIONS");
            assertThat(r.message()).contains("dx1 from 5.20.0", "dx2 from 5.20.1", "one rollout has one target");
        });
        assertThat(h.commands()).hasSize(commands);
        assertThat(h.view().state()).isEqualTo(RolloutState.REJECTED);
    }

    @Test
    void aRedeliveredRollbackStartsNoSecondRolloutAndARollbackAskedAgainOnceDoneIsRefusedAsChangedSince() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);
        String upgrade = h.rolloutId();

        h.rollback(upgrade, false);
        h.rollback(upgrade, false); // redelivered while the rollback runs
        h.drive(10);
        h.rollback(upgrade, false); // redelivered after it completed
        int rollouts = h.engine.rollouts("dolphin-lab").size();

        assertThat(h.eventNames()).filteredOn("RolloutAccepted"::equals).hasSize(2);
        assertThat(rejections()).isEmpty();
        assertThat(rollouts).isEqualTo(2);

        // asked again under a new request id: the nodes no longer run what the upgrade left them on
        h.run(h.engine.onControl(RolloutControl.rollback(upgrade, "dolphin-lab", "bob", false, "rollback-2"),
                EngineHarness.CAUSE));
        assertThat(rejections()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("ROLLBACK_CHANGED_SINCE");
            assertThat(r.message()).contains("dx1 runs 5.20.0 now, not the 5.21.0");
        });
    }

    @Test
    void aRollbackOfARolloutThePlannerDoesNotHoldIsRefused() {
        h.registerAllActive(dolphin(1), "5.20.0");

        h.rollback("ro-nonexistent", true);

        assertThat(rejections()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("ROLLBACK_UNKNOWN_ROLLOUT");
            assertThat(r.requestId()).isEqualTo("rollback-of-ro-nonexistent-dry-run");
        });
    }

    private List<RolloutRejected> rejections() {
        return h.published.stream().filter(RolloutRejected.class::isInstance).map(RolloutRejected.class::cast).toList();
    }

    private UpgradeRequested requestOf(String rolloutId) {
        return h.engine.snapshot("dolphin-lab").rollouts().stream().filter(r -> r.id().equals(rolloutId)).findFirst()
                .orElseThrow().request();
    }

    @Test
    void aTargetTheCompatibilityTableHasNoRowForIsRejectedUnlessTheRequestAllowsIt() {
        h.registerAllActive(dolphin(2), "5.21.0");
        h.request(upgrade("dolphin-lab", "5.22.0"));
        assertThat(h.published).singleElement().isInstanceOfSatisfying(RolloutRejected.class, r -> {
            assertThat(r.code()).isEqualTo("COMPATIBILITY_UNKNOWN");
            assertThat(r.message()).contains("5.22.0").contains("allowUnknownCompatibility");
        });

        EngineHarness allowed = new EngineHarness();
        allowed.registerAllActive(dolphin(2), "5.21.0");
        allowed.request(upgrade("dolphin-lab", "5.22.0").allowUnknownCompatibility());
        allowed.drive(10);
        assertThat(allowed.view().state()).isEqualTo(RolloutState.COMPLETED);

        // a procedure without a table (Matrix) makes no claim: every target may be rolled to
        EngineHarness matrix = new EngineHarness();
        matrix.registerAllActive(matrix(2), "3.5.0");
        matrix.request(upgrade("matrix-prod", "3.6.0"));
        matrix.drive(10);
        assertThat(matrix.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void everyCommandMustStartByItsStartByAndTheResultIsGivenUpOnlyAfterItCouldHaveEnded() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("stop-services") ? EngineHarness.STARTED_ONLY : null);
        Instant sent = h.now();
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(0);
        NodeCommand build = h.commands().get(0);
        // build-rpm has a timeout longer than the start window: it may queue that long
        assertThat(build.startBy()).isEqualTo(sent.plus(build.timeout()));
        NodeCommand stop = h.commands().get(1);
        assertThat(stop.step()).isEqualTo("stop-services");
        Duration window = stop.timeout().compareTo(CommandDeadlines.DEFAULT.startWindow()) > 0
                ? stop.timeout() : CommandDeadlines.DEFAULT.startWindow();
        assertThat(stop.startBy()).isEqualTo(sent.plus(window));

        // silence: the latest moment the command could still end is startBy + timeout; then the grace
        Instant giveUp = stop.startBy().plus(stop.timeout()).plus(CommandDeadlines.DEFAULT.grace());
        h.clock.advance(Duration.between(h.now(), giveUp));
        h.run(h.engine.onTick());
        assertThat(h.eventNames()).doesNotContain("RolloutHalted(dx1)");
        h.clock.advance(Duration.ofSeconds(1));
        h.run(h.engine.onTick());

        assertThat(h.eventNames()).endsWith("RolloutHalted(dx1)");
        assertThat(h.view().nodes().get(0).note()).startsWith("STEP_RESULT_MISSING")
                .contains("it had to start by " + stop.startBy());
        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm", "dx1:stop-services");
    }

    @Test
    void aCommandNoExecutorSaidItStartedIsWaitedForOneStartWindowMoreAndItsLateRefusalSendsItAgain() {
        h.registerAllActive(dolphin(2), "5.20.0");
        // the soak's case: the executor that reads stop-services comes back after the usual give-up time
        h.scripts.put("dx1", c -> c.step().equals("stop-services") && c.attempt() == 1 ? EngineHarness.NO_ANSWER : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(0);
        NodeCommand stop = h.commands().get(1);
        Instant usualGiveUp = stop.startBy().plus(stop.timeout()).plus(CommandDeadlines.DEFAULT.grace());
        h.clock.advance(Duration.between(h.now(), usualGiveUp.plus(CommandDeadlines.DEFAULT.startWindow())));
        h.run(h.engine.onTick());
        assertThat(h.eventNames()).doesNotContain("RolloutHalted(dx1)");

        h.run(h.engine.onStepResult(failure(stop, "COMMAND_EXPIRED", "reached the executor after its startBy"),
                EngineHarness.CAUSE));
        h.drive(10);

        assertThat(h.commands()).filteredOn(c -> c.nodeName().equals("dx1") && c.step().equals("stop-services"))
                .extracting(NodeCommand::attempt).containsExactly(1, 2);
        assertThat(h.eventNames()).doesNotContain("RolloutHalted(dx1)").endsWith("RolloutCompleted");
    }

    @Test
    void aRefusalAfterThePlannerGaveUpTellsTheOperatorNothingRanAndTheHaltStandsUntilARetry() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("stop-services") && c.attempt() == 1 ? EngineHarness.NO_ANSWER : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(0);
        NodeCommand stop = h.commands().get(1);
        Instant giveUp = stop.startBy().plus(stop.timeout()).plus(CommandDeadlines.DEFAULT.grace())
                .plus(CommandDeadlines.DEFAULT.startWindow());
        h.clock.advance(Duration.between(h.now(), giveUp.plusSeconds(1)));
        h.run(h.engine.onTick());
        assertThat(h.eventNames()).endsWith("RolloutHalted(dx1)");
        assertThat(h.view().nodes().get(0).note()).startsWith("STEP_RESULT_MISSING").contains("none said it had started it");
        int published = h.published.size();

        h.run(h.engine.onStepResult(failure(stop, "COMMAND_EXPIRED", "reached the executor after its startBy"),
                EngineHarness.CAUSE));

        // invariant 5: only an operator resumes; the note says what the refusal proved
        assertThat(h.published).hasSize(published);
        assertThat(h.view().state()).isEqualTo(RolloutState.HALTED);
        assertThat(h.view().nodes().get(0).note()).contains("refused it COMMAND_EXPIRED: it never ran");
        h.control(RolloutControl.Action.RETRY, "dx1");
        h.drive(10);
        assertThat(h.commands()).filteredOn(c -> c.nodeName().equals("dx1") && c.step().equals("stop-services"))
                .extracting(NodeCommand::attempt).containsExactly(1, 2);
        assertThat(h.eventNames()).endsWith("RolloutCompleted");
    }

    @Test
    void aCommandRefusedExpiredUnrunIsSentAgainAsANewAttemptAndTheRolloutGoesOn() {
        h.registerAllActive(dolphin(2), "5.20.0");
        int[] expired = {0};
        h.scripts.put("dx1", c -> c.step().equals("stop-services") && expired[0]++ < 2
                ? failure(c, "COMMAND_EXPIRED", "the command reached this executor after its startBy") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commands()).filteredOn(c -> c.nodeName().equals("dx1") && c.step().equals("stop-services"))
                .extracting(NodeCommand::attempt).containsExactly(1, 2, 3);
        assertThat(h.commands()).extracting(NodeCommand::commandId).doesNotHaveDuplicates();
        // each resend has a start window of its own, counted from when it is sent
        assertThat(h.commands()).allSatisfy(c -> assertThat(c.startBy()).isNotNull());
        assertThat(h.eventNames()).doesNotContain("RolloutHalted(dx1)").endsWith("RolloutCompleted");
        // the next step starts at attempt 1 again
        assertThat(h.commands()).filteredOn(c -> c.nodeName().equals("dx1") && c.step().equals("install"))
                .extracting(NodeCommand::attempt).containsExactly(1);
    }

    @Test
    void aCommandThatKeepsExpiringHaltsAfterTheBoundedResends() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> c.step().equals("stop-services")
                ? failure(c, "COMMAND_EXPIRED", "the command reached this executor after its startBy") : null);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commands()).filteredOn(c -> c.step().equals("stop-services"))
                .hasSize(1 + NodeDriver.EXPIRED_RESENDS);
        assertThat(h.eventNames()).endsWith("RolloutHalted(dx1)");
        assertThat(h.view().nodes().get(0).note()).startsWith("COMMAND_EXPIRED");
        assertThat(h.commandOrder()).noneMatch(c -> c.startsWith("dx2"));
    }

    @Test
    void hostKeyMismatchHaltsWhateverTheStepSaysAndNothingMoreIsSent() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.scripts.put("dx1", c -> failure(c, "HOST_KEY_MISMATCH", "host key of 127.77.1.1 changed"));
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(60);

        assertThat(h.commandOrder()).containsExactly("dx1:build-rpm");
        assertThat(h.eventNames()).endsWith("RolloutHalted(dx1)");
    }

    @Test
    void aRetryStepIsRetriedWithBackOffThenHalts(@TempDir Path dir) throws IOException {
        EngineHarness flaky = flaky(dir, 2);
        flaky.scripts.put("w1", c -> failure(c, EXIT_STATUS, "mirror busy"));
        flaky.request(upgrade("web", "1.1"));
        flaky.drive(5);

        assertThat(flaky.commands()).extracting(NodeCommand::attempt).containsExactly(1, 2, 3);
        assertThat(flaky.commands()).extracting(NodeCommand::commandId).doesNotHaveDuplicates();
        assertThat(flaky.eventNames()).endsWith("RolloutHalted(w1)");
    }

    @Test
    void anExpiredAttemptDoesNotCountAgainstTheStepsRetries(@TempDir Path dir) throws IOException {
        EngineHarness flaky = flaky(dir, 1);
        // attempt 1 expires unrun, attempt 2 fails (one retry allowed), attempt 3 succeeds
        flaky.scripts.put("w1", c -> switch (c.attempt()) {
            case 1 -> failure(c, "COMMAND_EXPIRED", "reached the executor after its startBy");
            case 2 -> failure(c, EXIT_STATUS, "mirror busy");
            default -> null;
        });
        flaky.request(upgrade("web", "1.1"));
        flaky.drive(5);

        assertThat(flaky.commands()).extracting(NodeCommand::attempt).containsExactly(1, 2, 3);
        assertThat(flaky.eventNames()).doesNotContain("RolloutHalted(w1)").endsWith("RolloutCompleted");
    }

    /** A one-node cluster of a user product whose one step ({@code fetch}) is retried {@code retries} times. */
    private static EngineHarness flaky(Path dir, int retries) throws IOException {
        Files.writeString(dir.resolve("flaky.yaml"), """
                name: flaky
                steps:
                  - name: fetch
                    command: "fetch ${targetVersion}"
                    onFailure: retry
                    retries: %d
                health:
                  command: "status"
                  activePattern: "^up$"
                  versionPattern: "^v(\\\\S+)$"
                """.formatted(retries));
        EngineHarness flaky = new EngineHarness(ProcedureCatalog.withUserFolder(dir));
        flaky.registerAllActive(ClusterRegistrations.cluster("web", "flaky").product("web")
                .nodes(List.of(node("w1", "h1", "a1"))).build(), "1.0");
        return flaky;
    }

    // ---- Matrix rules ------------------------------------------------------------------------

    @Test
    void aNodeUpgradedOutOfOrderIsStoppedTheOthersUpgradedThenItIsStartedLast() {
        h.register(matrix(4));
        for (int n = 1; n <= 4; n++) {
            h.active("matrix-prod", "srv" + n, n == 2 ? "3.5.1" : "3.5.0"); // srv2 upgraded out of order
        }
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(10);

        assertThat(h.eventNames()).startsWith("RolloutAccepted", "RolloutPlanned", "OutOfOrderDetected(srv2)");
        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                List.of("srv2:out-of-order-stop"),
                steps("srv4", "stop", "install", "start"),
                steps("srv3", "stop", "install", "start"),
                steps("srv1", "stop", "install", "start"),
                List.of("srv2:out-of-order-start"))));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void aClusterFoundOutOfOrderWithTheOldNodesGoneFromTheMatrixIsRemediedNotRejected() {
        // the Matrix guide's state: srv1 (lowest address) upgraded by hand; srv2 and srv3 left the matrix
        h.register(referenceMatrix());
        h.active("matrix-prod", "srv1", "3.5.1");
        h.running.put("srv2", "3.5.0");
        h.running.put("srv3", "3.5.0");
        h.inactive("matrix-prod", "srv2", "left-membership");
        h.inactive("matrix-prod", "srv3", "left-membership");
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(2);

        assertThat(h.eventNames()).startsWith("RolloutAccepted", "RolloutPlanned", "OutOfOrderDetected(srv1)");
        assertThat(h.commandOrder()).containsExactly("srv1:out-of-order-stop");
        // srv1 stopped: the old servers rejoin the matrix, as the guide says
        h.active("matrix-prod", "srv2", "3.5.0");
        h.active("matrix-prod", "srv3", "3.5.0");
        h.drive(10);

        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                List.of("srv1:out-of-order-stop"),
                steps("srv3", "stop", "install", "start"),
                steps("srv2", "stop", "install", "start"),
                List.of("srv1:out-of-order-start"))));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);

        // inactive for any other reason still refuses: only the out-of-order symptom is expected
        EngineHarness down = new EngineHarness();
        down.register(referenceMatrix());
        down.active("matrix-prod", "srv1", "3.5.1");
        down.active("matrix-prod", "srv3", "3.5.0");
        down.running.put("srv2", "3.5.0");
        down.inactive("matrix-prod", "srv2", "unreachable");
        down.request(upgrade("matrix-prod", "3.5.1"));
        down.clock.advance(Duration.ofSeconds(31));
        down.run(down.engine.onTick());
        assertThat(down.published).singleElement().isInstanceOfSatisfying(RolloutRejected.class,
                r -> assertThat(r.code()).isEqualTo("PREFLIGHT_NODE_NOT_ACTIVE"));
    }

    @Test
    void theLastActiveOldNodeIsNotTakenDownWhileAnotherOldNodeIsInactive() {
        h.registerAllActive(matrix(3), "3.5.0");
        h.request(upgrade("matrix-prod", "3.5.1").maxUnavailable(3));
        h.drive(10);

        // srv3 and srv2 go down together (budget 3); srv1 is then the last active 3.5.0 node: it waits
        assertThat(h.eventNames()).containsSubsequence("NodeUpgradeStarted(srv3)", "NodeUpgradeStarted(srv2)",
                "GuardBlocked(srv1):LAST_OLD_NODE", "NodeUpgraded(srv2)", "NodeUpgradeStarted(srv1)");
        List<String> names = h.eventNames();
        assertThat(names.indexOf("NodeUpgradeStarted(srv1)")).isGreaterThan(names.indexOf("NodeUpgraded(srv3)"));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void mixedVersionsPastTheDeadlineAlertThenHalt() {
        h.registerAllActive(matrix(3), "3.5.0");
        h.request(upgrade("matrix-prod", "3.5.1").canary(1)); // canary: pauses after srv3
        h.drive(5);
        assertThat(h.eventNames()).contains("MixedVersionWindowOpened", "RolloutPaused");

        h.clock.advance(Duration.ofHours(3));
        h.run(h.engine.onTick());
        h.clock.advance(Duration.ofHours(6));
        h.run(h.engine.onTick());

        assertThat(h.eventNames()).endsWith("RolloutPaused", "GuardBlocked:MIXED_VERSION_DEADLINE", "RolloutHalted");
    }

    // ---- pacing ------------------------------------------------------------------------------

    @Test
    void canaryPausesAfterTheFirstNodeAndStopAfterAfterEachBatch() {
        h.registerAllActive(matrix(4), "3.5.0");
        h.request(upgrade("matrix-prod", "3.5.1").canary(1).stopAfter(2));
        h.drive(5);
        assertThat(h.eventNames()).endsWith("NodeUpgraded(srv4)", "MixedVersionWindowOpened", "RolloutPaused");

        h.control(RolloutControl.Action.RESUME, null);
        h.drive(5);
        assertThat(h.eventNames()).endsWith("NodeUpgraded(srv2)", "RolloutPaused");

        h.control(RolloutControl.Action.RESUME, null);
        h.drive(5);
        assertThat(h.commandOrder()).containsExactlyElementsOf(concat(List.of(
                steps("srv4", "stop", "install", "start"), steps("srv3", "stop", "install", "start"),
                steps("srv2", "stop", "install", "start"), steps("srv1", "stop", "install", "start"))));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void maxUnavailableTwoOnSixNodesKeepsTwoDownAtMostAndStartsInOrder() {
        ClusterRegistered six = dolphin(6);
        h.registerAllActive(six, "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0").maxUnavailable(2));
        h.drive(10);

        int down = 0;
        int maxDown = 0;
        List<String> started = new ArrayList<>();
        for (String event : h.eventNames()) {
            if (event.startsWith("NodeUpgradeStarted")) {
                down++;
                started.add(event);
            } else if (event.startsWith("NodeUpgraded")) {
                down--;
            }
            maxDown = Math.max(maxDown, down);
        }
        assertThat(maxDown).isEqualTo(2);
        assertThat(started).containsExactly("NodeUpgradeStarted(dx1)", "NodeUpgradeStarted(dx2)",
                "NodeUpgradeStarted(dx3)", "NodeUpgradeStarted(dx4)", "NodeUpgradeStarted(dx5)", "NodeUpgradeStarted(dx6)");
        // built once on dx1 (same arch and OS everywhere), pushed to the others only after the build succeeded
        assertThat(h.commands()).filteredOn(c -> c.step().equals("build-rpm")).extracting(NodeCommand::kind)
                .containsExactly(NodeCommand.Kind.BUILD_ARTIFACT, NodeCommand.Kind.PUSH_ARTIFACT,
                        NodeCommand.Kind.PUSH_ARTIFACT, NodeCommand.Kind.PUSH_ARTIFACT, NodeCommand.Kind.PUSH_ARTIFACT,
                        NodeCommand.Kind.PUSH_ARTIFACT);
        assertThat(h.commandOrder().indexOf("dx2:build-rpm")).isGreaterThan(h.commandOrder().indexOf("dx1:build-rpm"));
        assertThat(h.commands()).allSatisfy(c -> assertThat(c.epoch()).isEqualTo(7L));
    }

    @Test
    void artifactsAreBuiltOncePerArchitectureAndOs() {
        h.registerAllActive(ClusterRegistrations.cluster("dolphin-lab", "dolphin-expressware").product("d")
                .node("dx1", "h1", n -> n.clusterAddress("a1").platform("x86_64", "rhel-9"))
                .node("dx2", "h2", n -> n.clusterAddress("a2").platform("aarch64", "rhel-9"))
                .node("dx3", "h3", n -> n.clusterAddress("a3").platform("x86_64", "rhel-9"))
                .build(), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.drive(10);

        assertThat(h.commands()).filteredOn(c -> c.step().equals("build-rpm"))
                .extracting(c -> c.nodeName() + ":" + c.kind() + ":" + c.artifact().key())
                .containsExactly("dx1:BUILD_ARTIFACT:x86_64/rhel-9/5.21.0", "dx2:BUILD_ARTIFACT:aarch64/rhel-9/5.21.0",
                        "dx3:PUSH_ARTIFACT:x86_64/rhel-9/5.21.0");
    }

    @Test
    void aPercentageBudgetAndADelayBetweenNodes() {
        h.registerAllActive(matrix(4), "3.5.0");
        h.request(upgrade("matrix-prod", "3.5.1").delayBetweenNodes(Duration.ofMinutes(5)).maxUnavailablePercent(50));
        assertThat(h.view().maxUnavailable()).isEqualTo(2);
        h.drive(1);
        assertThat(h.view().waitingFor()).startsWith("delay between nodes until");
        h.drive(20);
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void outsideTheMaintenanceWindowNoNodeStarts() {
        h.registerAllActive(matrix(2), "3.5.0"); // the manual clock starts at 2026-01-01T00:00:00Z (a Thursday)
        h.request(upgrade("matrix-prod", "3.5.1")
                .maintenanceWindow(new UpgradeRequested.MaintenanceWindow(List.of(), "02:00", "04:00", "UTC")));
        h.drive(0);
        assertThat(h.commands()).isEmpty();
        assertThat(h.published).filteredOn(GuardBlocked.class::isInstance).singleElement()
                .satisfies(g -> assertThat(((GuardBlocked) g).code()).isEqualTo("MAINTENANCE_WINDOW"));

        h.drive(117);
        assertThat(h.now()).isEqualTo(java.time.Instant.parse("2026-01-01T01:59:00Z"));
        assertThat(h.commands()).isEmpty();
        h.drive(5);
        assertThat(h.commandOrder()).startsWith("srv2:stop");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    // ---- offline update, dry run, rejections -------------------------------------------------

    @Test
    void aCompleteOfflineUpdateIsPlannedWhenRollingIsNotSupportedAndAllowed() {
        h.registerAllActive(dolphin(3), "5.18.0");
        h.request(upgrade("dolphin-lab", "5.21.0").allowOffline());
        h.drive(10);

        RolloutPlanned plan = (RolloutPlanned) h.published.get(1);
        assertThat(plan.maxUnavailable()).isEqualTo(3);
        assertThat(plan.nodes()).extracting(RolloutPlanned.PlannedNode::action).containsOnly("offline-update");
        assertThat(h.eventNames()).startsWith("RolloutAccepted", "RolloutPlanned", "NodeUpgradeStarted(dx1)",
                "NodeCommand(dx1):build-rpm", "NodeUpgradeStarted(dx2)", "NodeUpgradeStarted(dx3)");
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
    }

    @Test
    void aForcedDowngradeTheTableDoesNotAllowRollingIsCompleteAndSoIsTheRollbackOfACompleteUpdate() {
        h.registerAllActive(dolphin(3), "5.21.0");
        h.request(upgrade("dolphin-lab", "5.18.0").force());
        assertThat(rejections()).singleElement().satisfies(r -> assertThat(r.code()).isEqualTo("ROLLING_NOT_SUPPORTED"));

        EngineHarness back = harness();
        back.registerAllActive(dolphin(3), "5.18.0");
        back.request(upgrade("dolphin-lab", "5.21.0").allowOffline());
        back.drive(10);
        String upgrade = back.rolloutId();
        back.rollback(upgrade, false);
        back.drive(10);

        assertThat(back.view().offline()).isTrue();
        assertThat(back.view().maxUnavailable()).isEqualTo(3);
        assertThat(back.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(back.running).containsOnly(Map.entry("dx1", "5.18.0"), Map.entry("dx2", "5.18.0"),
                Map.entry("dx3", "5.18.0"));
    }

    @Test
    void aDryRunPublishesThePlanAndSendsNothing() {
        h.registerAllActive(referenceMatrix(), "3.5.0");
        h.request(upgrade("matrix-prod", "3.5.1").dryRun());

        assertThat(h.eventNames()).containsExactly("RolloutAccepted", "RolloutPlanned");
        assertThat(((RolloutPlanned) h.published.get(1)).nodes()).extracting(RolloutPlanned.PlannedNode::nodeName)
                .containsExactly("srv3", "srv2", "srv1");
        assertThat(h.view().state()).isEqualTo(RolloutState.PLANNED);
    }

    @Test
    void aRedeliveredRequestOrResultChangesNothing() {
        h.registerAllActive(dolphin(2), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        NodeCommand build = h.commands().get(0);
        h.request(upgrade("dolphin-lab", "5.21.0"));
        for (int i = 0; i < 2; i++) {
            h.run(h.engine.onStepResult(new dev.baton.contracts.StepSucceeded(build.commandId(), build.rolloutId(),
                    build.clusterId(), build.nodeName(), build.step(), 0, "", null, null), EngineHarness.CAUSE));
        }
        assertThat(h.eventNames()).containsExactly("RolloutAccepted", "RolloutPlanned", "NodeUpgradeStarted(dx1)",
                "NodeCommand(dx1):build-rpm", "NodeCommand(dx1):stop-services");
    }

    @Test
    void everyValidationRuleRejectsWithItsCode() {
        Map<String, String> codes = new LinkedHashMap<>();
        EngineHarness fresh = new EngineHarness();
        fresh.registerAllActive(dolphin(3), "5.20.0");
        fresh.request(upgrade("nope", "5.21.0"));
        fresh.request(upgrade("dolphin-lab", "5.21-beta").requestId("req-2"));
        fresh.request(upgrade("dolphin-lab", "5.19.0").requestId("req-3"));
        fresh.request(upgrade("dolphin-lab", "5.20.0").requestId("req-4"));
        fresh.request(upgrade("dolphin-lab", "5.21.0").requestId("req-5").exclude("dx9"));
        fresh.request(upgrade("dolphin-lab", "5.21.0").requestId("req-6").maxUnavailable(0));
        fresh.request(upgrade("dolphin-lab", "5.21.0").requestId("req-7"));
        fresh.request(upgrade("dolphin-lab", "5.21.0").requestId("req-8"));
        fresh.published.stream().filter(RolloutRejected.class::isInstance).map(RolloutRejected.class::cast)
                .forEach(r -> codes.put(r.requestId(), r.code()));
        assertThat(codes).containsExactly(Map.entry("req-1", "UNKNOWN_CLUSTER"), Map.entry("req-2", "BAD_VERSION"),
                Map.entry("req-3", "NOT_NEWER"), Map.entry("req-4", "ALREADY_ON_TARGET"), Map.entry("req-5", "BAD_REQUEST"),
                Map.entry("req-6", "BAD_REQUEST"), Map.entry("req-8", "ROLLOUT_OPEN"));

        EngineHarness old = new EngineHarness();
        old.registerAllActive(dolphin(3), "5.18.0");
        old.request(upgrade("dolphin-lab", "5.21.0"));
        assertThat(old.published).singleElement().isInstanceOfSatisfying(RolloutRejected.class, r -> {
            assertThat(r.code()).isEqualTo("ROLLING_NOT_SUPPORTED");
            assertThat(r.message()).contains("5.18.0").contains("allowOffline");
        });

        EngineHarness down = new EngineHarness();
        down.register(dolphin(2));
        down.active("dolphin-lab", "dx1", "5.20.0");
        down.inactive("dolphin-lab", "dx2", "unreachable");
        down.request(upgrade("dolphin-lab", "5.21.0"));
        assertThat(down.published).isEmpty();
        assertThat(down.view().waitingFor()).contains("dx2").contains("unreachable");
        down.clock.advance(Duration.ofSeconds(31));
        down.run(down.engine.onTick());
        assertThat(down.published).singleElement().isInstanceOfSatisfying(RolloutRejected.class,
                r -> assertThat(r.code()).isEqualTo("PREFLIGHT_NODE_NOT_ACTIVE"));
        assertThat(down.view().rejection().code()).isEqualTo("PREFLIGHT_NODE_NOT_ACTIVE");
    }

    @Test
    void anExcludedInactiveNodeDoesNotBlockPreflightAndIsSkipped() {
        h.register(dolphin(2));
        h.active("dolphin-lab", "dx1", "5.20.0");
        h.inactive("dolphin-lab", "dx2", "unreachable");
        h.request(upgrade("dolphin-lab", "5.21.0").exclude("dx2"));
        h.drive(5);

        assertThat(h.commandOrder()).allMatch(c -> c.startsWith("dx1:"));
        assertThat(h.view().state()).isEqualTo(RolloutState.COMPLETED);
        assertThat(h.view().nodes().get(1).state()).isEqualTo(NodeState.SKIPPED);
    }

    @Test
    void aNodeDownForAnotherReasonHoldsTheBudgetAndIsPublishedOnceButMayItselfBeUpgraded() {
        h.registerAllActive(dolphin(3), "5.20.0");
        h.request(upgrade("dolphin-lab", "5.21.0"));
        h.inactive("dolphin-lab", "dx3", "unreachable"); // dx3 goes down on its own while dx1 upgrades
        h.drive(3);

        assertThat(h.commandOrder()).allMatch(c -> c.startsWith("dx1:"));
        assertThat(h.published).filteredOn(GuardBlocked.class::isInstance).singleElement()
                .satisfies(g -> assertThat(((GuardBlocked) g).message()).contains("dx3").contains("dx2 waits"));

        EngineHarness self = new EngineHarness();
        self.registerAllActive(dolphin(2), "5.20.0");
        self.request(upgrade("dolphin-lab", "5.21.0"));
        self.inactive("dolphin-lab", "dx2", "host-key-mismatch"); // dx2 itself is down: upgrading it costs nothing more
        self.drive(3);
        assertThat(self.commandOrder()).contains("dx2:build-rpm");
    }
}
