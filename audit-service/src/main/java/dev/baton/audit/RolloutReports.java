package dev.baton.audit;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.EventCodec;
import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.MalformedEventException;
import dev.baton.contracts.MixedVersionWindowClosed;
import dev.baton.contracts.MixedVersionWindowOpened;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.NodeUpgradeStarted;
import dev.baton.contracts.NodeUpgraded;
import dev.baton.contracts.OutOfOrderDetected;
import dev.baton.contracts.RolloutAborted;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPaused;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutRejected;
import dev.baton.contracts.RolloutResumed;
import dev.baton.contracts.StepFailed;
import dev.baton.contracts.StepStarted;
import dev.baton.contracts.StepSucceeded;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link RolloutReport} from a rollout's stored events (decoded with the contracts' codec). Pure logic.
 * Events are taken in the order they happened: CloudEvents {@code time}, else the Kafka timestamp, then {@code seq}.
 */
public final class RolloutReports {
    private RolloutReports() {
    }

    /** A stored event decoded, with when it happened. */
    record Decoded(AuditedEvent stored, BatonEvent event, Instant at) {
    }

    /** The stored events in the order they happened, decoded where they are Baton events. */
    public static List<Decoded> decode(List<AuditedEvent> events) {
        List<Decoded> decoded = new ArrayList<>();
        for (AuditedEvent stored : events) {
            BatonEvent event = null;
            if (stored.type() != null && stored.data() != null) {
                try {
                    event = EventCodec.decode(stored.type(), stored.data().getBytes(StandardCharsets.UTF_8));
                } catch (MalformedEventException | RuntimeException e) {
                    event = null; // kept in the timeline, ignored by the report
                }
            }
            Instant at = stored.time() != null ? stored.time() : stored.timestamp() != null ? stored.timestamp() : stored.receivedAt();
            decoded.add(new Decoded(stored, event, at));
        }
        decoded.sort(Comparator.comparing(Decoded::at, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingLong(d -> d.stored().seq()));
        return decoded;
    }

    public static RolloutReport build(String rolloutId, List<AuditedEvent> events, Instant now) {
        List<Decoded> timeline = decode(events);
        String clusterId = null;
        RolloutReport.Request request = null;
        RolloutReport.Plan plan = null;
        Map<String, NodeState> nodes = new LinkedHashMap<>();
        List<RolloutReport.Failure> failures = new ArrayList<>();
        List<Pending> pendingRemedies = new ArrayList<>();
        List<RolloutReport.Notice> guards = new ArrayList<>();
        List<RolloutReport.Notice> interruptions = new ArrayList<>();
        List<RolloutReport.MixedVersionWindow> windows = new ArrayList<>();
        Instant openedAt = null;
        List<String> openVersions = List.of();
        RolloutReport.Outcome outcome = null;
        Instant startedAt = null;
        Instant finishedAt = null;

        for (Decoded d : timeline) {
            BatonEvent e = d.event();
            Instant at = d.at();
            if (at != null) {
                startedAt = startedAt == null || at.isBefore(startedAt) ? at : startedAt;
                finishedAt = finishedAt == null || at.isAfter(finishedAt) ? at : finishedAt;
            }
            if (e == null) {
                continue;
            }
            if (clusterId == null) {
                clusterId = e.clusterId();
            }
            if (e.nodeName() != null && !(e instanceof StepFailed)) {
                resolveRemedies(pendingRemedies, failures, e, at);
            }
            if (e instanceof RolloutAccepted a) {
                request = new RolloutReport.Request(a.requestId(), a.requestedBy(), d.stored().actor(), a.targetVersion(), at);
            } else if (e instanceof RolloutPlanned p) {
                List<RolloutReport.PlannedNode> planned = new ArrayList<>();
                int position = 1;
                for (var node : p.nodes()) {
                    planned.add(new RolloutReport.PlannedNode(position++, node.nodeName(), node.clusterAddress(),
                            node.fromVersion(), node.action(), node.steps(), node.reason(), node.plannedSteps()));
                    nodes.computeIfAbsent(node.nodeName(), NodeState::new).versionBefore = node.fromVersion();
                }
                plan = new RolloutReport.Plan(at, p.targetVersion(), p.orderingPolicy(), p.maxUnavailable(), p.dryRun(), planned);
            } else if (e instanceof NodeUpgradeStarted s) {
                NodeState node = nodes.computeIfAbsent(s.nodeName(), NodeState::new);
                node.versionBefore = s.fromVersion() != null ? s.fromVersion() : node.versionBefore;
                node.startedAt = node.startedAt == null ? at : node.startedAt;
                node.status = "UPGRADING";
            } else if (e instanceof NodeUpgraded u) {
                NodeState node = nodes.computeIfAbsent(u.nodeName(), NodeState::new);
                node.versionAfter = u.runningVersion();
                node.upgradedAt = at;
                node.status = "UPGRADED";
            } else if (e instanceof StepStarted s) {
                nodes.computeIfAbsent(s.nodeName(), NodeState::new).steps.add(new StepState(s.step(), at));
            } else if (e instanceof StepSucceeded s) {
                finishStep(nodes.computeIfAbsent(s.nodeName(), NodeState::new), s.step(), at, "SUCCEEDED", s.exitCode(), null);
            } else if (e instanceof StepFailed f) {
                NodeState node = nodes.computeIfAbsent(f.nodeName(), NodeState::new);
                finishStep(node, f.step(), at, "FAILED", f.exitCode(), f.errorCode());
                node.status = "FAILED";
                failures.add(new RolloutReport.Failure(at, f.nodeName(), f.step(), f.errorCode(), f.exitCode(),
                        f.message(), null, null));
                pendingRemedies.add(new Pending(failures.size() - 1, f.nodeName(), f.step(), f.commandId()));
            } else if (e instanceof GuardBlocked g) {
                guards.add(new RolloutReport.Notice(at, "GuardBlocked", g.nodeName(), g.code(), g.message(), d.stored().actor()));
            } else if (e instanceof OutOfOrderDetected o) {
                guards.add(new RolloutReport.Notice(at, "OutOfOrderDetected", o.nodeName(), o.code(), o.message(), d.stored().actor()));
            } else if (e instanceof RolloutPaused p) {
                interruptions.add(new RolloutReport.Notice(at, "RolloutPaused", p.nodeName(), p.code(), p.message(), d.stored().actor()));
            } else if (e instanceof RolloutResumed r) {
                interruptions.add(new RolloutReport.Notice(at, "RolloutResumed", r.nodeName(), r.code(), r.message(), d.stored().actor()));
            } else if (e instanceof RolloutHalted h) {
                interruptions.add(new RolloutReport.Notice(at, "RolloutHalted", h.nodeName(), h.code(), h.message(), d.stored().actor()));
                outcome = new RolloutReport.Outcome("HALTED", at, h.code(), h.message());
                haltPending(pendingRemedies, failures, h, at);
            } else if (e instanceof RolloutAborted a) {
                interruptions.add(new RolloutReport.Notice(at, "RolloutAborted", a.nodeName(), a.code(), a.message(), d.stored().actor()));
                outcome = new RolloutReport.Outcome("ABORTED", at, a.code(), a.message());
            } else if (e instanceof RolloutCompleted c) {
                List<String> skipped = c.skipped() == null ? List.of() : c.skipped();
                skipped.forEach(name -> nodes.computeIfAbsent(name, NodeState::new).status = "SKIPPED");
                outcome = new RolloutReport.Outcome("COMPLETED", at, c.code(), c.message(), skipped);
            } else if (e instanceof RolloutRejected r) {
                outcome = new RolloutReport.Outcome("REJECTED", at, r.code(), r.message());
            } else if (e instanceof MixedVersionWindowOpened o) {
                if (openedAt == null) {
                    openedAt = o.at() != null ? o.at() : at;
                    openVersions = o.versions();
                }
            } else if (e instanceof MixedVersionWindowClosed c) {
                Instant closedAt = c.at() != null ? c.at() : at;
                Instant opened = openedAt != null ? openedAt : closedAt;
                windows.add(new RolloutReport.MixedVersionWindow(opened, closedAt, Duration.between(opened, closedAt),
                        openVersions.isEmpty() ? c.versions() : openVersions));
                openedAt = null;
                openVersions = List.of();
            }
        }
        if (openedAt != null) {
            windows.add(new RolloutReport.MixedVersionWindow(openedAt, null, Duration.between(openedAt, now), openVersions));
        }
        Duration mixed = windows.stream().map(RolloutReport.MixedVersionWindow::duration).reduce(Duration.ZERO, Duration::plus);
        if (outcome == null) {
            outcome = new RolloutReport.Outcome(timeline.isEmpty() ? "UNKNOWN" : "RUNNING", null, null, null);
        }
        List<RolloutReport.NodeReport> nodeReports = new ArrayList<>();
        for (NodeState node : nodes.values()) {
            nodeReports.add(node.report());
        }
        return new RolloutReport(rolloutId, clusterId, request, plan, nodeReports, failures, guards, interruptions,
                windows, mixed, outcome, startedAt, finishedAt, timeline.size(), now);
    }

    /** The first action on a failed node after the failure is what was done about it. */
    private static void resolveRemedies(List<Pending> pending, List<RolloutReport.Failure> failures, BatonEvent e, Instant at) {
        String remedy = null;
        if (e instanceof NodeCommand c) {
            remedy = c.kind().name().toLowerCase().replace('_', '-') + " '" + c.step() + "' (attempt " + c.attempt() + ")";
        } else if (e instanceof StepStarted s) {
            remedy = "started step '" + s.step() + "'";
        } else if (e instanceof NodeUpgraded u) {
            remedy = "node upgraded to " + u.runningVersion();
        }
        if (remedy == null) {
            return;
        }
        for (var it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.nodeName().equals(e.nodeName())) {
                setRemedy(failures, p.index(), remedy, at);
                it.remove();
            }
        }
    }

    private static void haltPending(List<Pending> pending, List<RolloutReport.Failure> failures, RolloutHalted h, Instant at) {
        for (Pending p : pending) {
            setRemedy(failures, p.index(), "rollout halted" + (h.message() == null ? "" : ": " + h.message()), at);
        }
        pending.clear();
    }

    private static void setRemedy(List<RolloutReport.Failure> failures, int index, String remedy, Instant at) {
        RolloutReport.Failure f = failures.get(index);
        failures.set(index, new RolloutReport.Failure(f.at(), f.nodeName(), f.step(), f.errorCode(), f.exitCode(),
                f.message(), remedy, at));
    }

    private static void finishStep(NodeState node, String step, Instant at, String outcome, Integer exitCode, String errorCode) {
        for (int i = node.steps.size() - 1; i >= 0; i--) {
            StepState s = node.steps.get(i);
            if (s.step.equals(step) && s.outcome == null) {
                s.finish(at, outcome, exitCode, errorCode);
                return;
            }
        }
        StepState s = new StepState(step, null);
        s.finish(at, outcome, exitCode, errorCode);
        node.steps.add(s);
    }

    private record Pending(int index, String nodeName, String step, String commandId) {
    }

    private static final class StepState {
        final String step;
        final Instant startedAt;
        Instant finishedAt;
        String outcome;
        Integer exitCode;
        String errorCode;

        StepState(String step, Instant startedAt) {
            this.step = step;
            this.startedAt = startedAt;
        }

        void finish(Instant at, String outcome, Integer exitCode, String errorCode) {
            this.finishedAt = at;
            this.outcome = outcome;
            this.exitCode = exitCode;
            this.errorCode = errorCode;
        }
    }

    private static final class NodeState {
        final String name;
        String versionBefore;
        String versionAfter;
        Instant startedAt;
        Instant upgradedAt;
        String status = "PENDING";
        final List<StepState> steps = new ArrayList<>();

        NodeState(String name) {
            this.name = name;
        }

        RolloutReport.NodeReport report() {
            List<RolloutReport.StepReport> stepReports = new ArrayList<>();
            for (StepState s : steps) {
                stepReports.add(new RolloutReport.StepReport(s.step, s.startedAt, s.finishedAt,
                        s.outcome == null ? "RUNNING" : s.outcome, s.exitCode, s.errorCode));
            }
            Duration duration = startedAt != null && upgradedAt != null ? Duration.between(startedAt, upgradedAt) : null;
            return new RolloutReport.NodeReport(name, versionBefore, versionAfter, startedAt, upgradedAt, duration,
                    stepReports, status);
        }
    }
}
