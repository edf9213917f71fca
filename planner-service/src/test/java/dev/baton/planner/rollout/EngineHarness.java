package dev.baton.planner.rollout;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.FailureCode;
import dev.baton.contracts.MembershipObserved;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeInactive;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepResult;
import dev.baton.contracts.StepSucceeded;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.fixtures.UpgradeRequests;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.sandbox.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Drives a {@link RolloutEngine} the way the executors and the health service would, with scripted node
 * behaviour and a manual clock, and records every event the engine publishes, in order. No I/O.
 */
final class EngineHarness {
    static final Cause CAUSE = new Cause("evt-1", "alice");

    final ManualClock clock = new ManualClock();
    final RolloutEngine engine;
    final List<BatonEvent> published = new ArrayList<>();
    /**
     * What each node answers to a command: null = succeed; else the failure to report; NO_ANSWER = silence; STARTED_ONLY
     * = an executor reports it started, then silence.
     */
    final Map<String, Function<NodeCommand, StepResult>> scripts = new HashMap<>();
    /** Nodes that never report active again. */
    final Set<String> neverActive = new HashSet<>();
    /** Nodes whose running version stays old until a reboot (installed but not loaded). */
    final Set<String> loadsOnlyAfterReboot = new HashSet<>();
    final Map<String, String> running = new HashMap<>();
    private int answered;
    private boolean restoreAfterEachDecision;
    private String clusterId;

    static final StepResult NO_ANSWER = new StepSucceeded("none", "none", "none", "none", "none", 0, "", null, null);
    static final StepResult STARTED_ONLY = new StepSucceeded("started", "none", "none", "none", "none", 0, "", null, null);

    EngineHarness() {
        this(ProcedureCatalog.shipped());
    }

    EngineHarness(ProcedureCatalog catalog) {
        engine = new RolloutEngine(catalog, clock, Duration.ofSeconds(30), cluster -> 7L);
    }

    void run(List<Emission> emissions) {
        emissions.forEach(e -> published.add(e.event()));
        if (restoreAfterEachDecision && clusterId != null) {
            restoreFromJson();
        }
    }

    /** After every decision, the engine takes its own state back from the snapshot's JSON (a planner take-over). */
    EngineHarness restoringAfterEachDecision() {
        restoreAfterEachDecision = true;
        return this;
    }

    /** Writes the cluster's snapshot as the state topic holds it, reads it back, restores it; it must not change. */
    void restoreFromJson() {
        try {
            String json = BatonJson.mapper().writeValueAsString(engine.snapshot(clusterId));
            engine.restore(BatonJson.mapper().readValue(json, ClusterSnapshot.class));
            String again = BatonJson.mapper().writeValueAsString(engine.snapshot(clusterId));
            if (!json.equals(again)) {
                throw new AssertionError("the snapshot changed through JSON and restore:\n" + json + "\n" + again);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void active(String cluster, String node, String version) {
        running.put(node, version);
        run(engine.onHealth(new NodeActive(cluster, node, version, "boot", clock.instant(), "probe-stable"), CAUSE));
    }

    void inactive(String cluster, String node, String reason) {
        run(engine.onHealth(new NodeInactive(cluster, node, running.get(node), "boot", clock.instant(), reason), CAUSE));
    }

    void membership(String cluster, Map<String, String> addresses) {
        List<MembershipObserved.Member> members = new ArrayList<>();
        addresses.forEach((node, address) -> members.add(new MembershipObserved.Member(node, address,
                running.get(node), true)));
        run(engine.onHealth(new MembershipObserved(cluster, members, false), CAUSE));
    }

    /** A membership snapshot whose members also say whether they hold the procedure's shared resource. */
    void membership(String cluster, Map<String, String> addresses, Map<String, Boolean> holds) {
        List<MembershipObserved.Member> members = new ArrayList<>();
        addresses.forEach((node, address) -> members.add(new MembershipObserved.Member(node, address,
                running.get(node), true, holds.get(node))));
        run(engine.onHealth(new MembershipObserved(cluster, members, false), CAUSE));
    }

    /** Registers the cluster and has health report every node active on {@code version}. */
    void registerAllActive(ClusterRegistered cluster, String version) {
        clusterId = cluster.clusterId();
        run(engine.onClusterRegistered(cluster));
        cluster.nodes().forEach(node -> active(cluster.clusterId(), node.name(), version));
    }

    void register(ClusterRegistered cluster) {
        clusterId = cluster.clusterId();
        run(engine.onClusterRegistered(cluster));
    }

    void request(UpgradeRequested request) {
        run(engine.onUpgradeRequested(request, CAUSE));
    }

    void request(UpgradeRequests request) {
        request(request.build());
    }

    /** A request as alice makes it (id {@code req-1}); the test names whatever else matters to it. */
    static UpgradeRequests upgrade(String cluster, String target) {
        return UpgradeRequests.upgrade(cluster, target).requestedBy("alice");
    }

    void control(RolloutControl.Action action, String node) {
        run(engine.onControl(new RolloutControl(rolloutId(), clusterId, action, node, "bob"), CAUSE));
    }

    /** bob asks for a rollback of {@code rolloutId} (a dry run or not), with the request id the planner derives. */
    void rollback(String rolloutId, boolean dryRun) {
        run(engine.onControl(RolloutControl.rollback(rolloutId, clusterId, "bob", dryRun, null), CAUSE));
    }

    /** The rollout {@link #view} and {@link #drive} follow; null: the newest. */
    String followed;

    String rolloutId() {
        if (followed != null) {
            return followed;
        }
        List<RolloutView> all = engine.rollouts(null);
        return all.get(all.size() - 1).rolloutId();
    }

    RolloutView view() {
        return engine.rollout(rolloutId()).orElseThrow();
    }

    List<NodeCommand> commands() {
        return published.stream().filter(NodeCommand.class::isInstance).map(NodeCommand.class::cast).toList();
    }

    /**
     * Plays executors and health until nothing moves: answers each new command (the node goes down on its first
     * disruptive step), reports a node active on what it runs once it has nothing left to do, and lets time pass
     * in one-minute ticks when the engine waits (at most {@code maxMinutes}).
     */
    void drive(int maxMinutes) {
        int idleMinutes = 0;
        int rounds = 0;
        while (idleMinutes <= maxMinutes) {
            if (++rounds > 10_000) {
                throw new AssertionError("the engine keeps moving without settling: " + eventNames());
            }
            boolean moved = false;
            while (answered < commands().size()) {
                NodeCommand command = commands().get(answered++);
                moved = true;
                answer(command);
            }
            RolloutView view = view();
            for (RolloutView.NodeView node : view.nodes()) {
                if (node.state() == NodeState.AWAITING_ACTIVE && !neverActive.contains(node.nodeName())
                        && !view.targetVersion().equals(running.get(node.nodeName()))
                        && !loadsOnlyAfterReboot.contains(node.nodeName())) {
                    running.put(node.nodeName(), view.targetVersion());
                }
                if (node.state() == NodeState.AWAITING_ACTIVE && !neverActive.contains(node.nodeName())
                        && view.targetVersion().equals(running.get(node.nodeName()))) {
                    active(clusterId, node.nodeName(), running.get(node.nodeName()));
                    moved = true;
                }
            }
            if (answered < commands().size()) {
                continue;
            }
            if (!moved) {
                RolloutState state = view().state();
                if (state != RolloutState.RUNNING) {
                    return;
                }
                idleMinutes++;
                clock.advance(Duration.ofMinutes(1));
                run(engine.onTick());
            }
        }
    }

    private void answer(NodeCommand command) {
        Function<NodeCommand, StepResult> script = scripts.get(command.nodeName());
        StepResult result = script == null ? null : script.apply(command);
        if (result == NO_ANSWER) {
            return;
        }
        if (result == STARTED_ONLY) {
            run(engine.onStepResult(new dev.baton.contracts.StepStarted(command.commandId(), command.rolloutId(),
                    command.clusterId(), command.nodeName(), command.step(), null, null, null, null), CAUSE));
            return;
        }
        if (command.disruptive() && Boolean.TRUE.equals(downOnce.add(command.nodeName()))) {
            inactive(command.clusterId(), command.nodeName(), "service-down");
        }
        if (command.kind() == NodeCommand.Kind.REBOOT && result == null && !neverActive.contains(command.nodeName())) {
            loadsOnlyAfterReboot.remove(command.nodeName());
            running.put(command.nodeName(), view().targetVersion());
        }
        run(engine.onStepResult(result != null ? result : new StepSucceeded(command.commandId(), command.rolloutId(),
                command.clusterId(), command.nodeName(), command.step(), 0, "ok", null, null), CAUSE));
    }

    private final Set<String> downOnce = new HashSet<>();

    static StepFailed failure(NodeCommand command, String errorCode, String output) {
        return new StepFailed(command.commandId(), command.rolloutId(), command.clusterId(), command.nodeName(),
                command.step(), FailureCode.EXIT_STATUS.name().equals(errorCode) ? 1 : null, output, errorCode, output);
    }

    /** Each event as Type(node)[:step], in publication order. */
    List<String> eventNames() {
        return published.stream().map(EngineHarness::name).toList();
    }

    static String name(BatonEvent e) {
        String base = e.getClass().getSimpleName() + (e.nodeName() == null ? "" : "(" + e.nodeName() + ")");
        if (e instanceof NodeCommand c) {
            return base + ":" + c.step();
        }
        if (e instanceof dev.baton.contracts.GuardBlocked g) {
            return base + ":" + g.code();
        }
        return base;
    }

    /** The commands as node:step, in order. */
    List<String> commandOrder() {
        return commands().stream().map(c -> c.nodeName() + ":" + c.step()).toList();
    }

    Instant now() {
        return clock.instant();
    }
}
