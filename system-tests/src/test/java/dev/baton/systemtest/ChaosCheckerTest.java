package dev.baton.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.BatonEvent;
import dev.baton.contracts.NodeActive;
import dev.baton.contracts.NodeCommand;
import dev.baton.contracts.RolloutAccepted;
import dev.baton.contracts.RolloutCompleted;
import dev.baton.contracts.RolloutHalted;
import dev.baton.contracts.RolloutPlanned;
import dev.baton.contracts.RolloutResumed;
import dev.baton.contracts.StepStarted;
import dev.baton.sandbox.world.EventLog;
import dev.baton.systemtest.ChaosChecker.Audit;
import dev.baton.systemtest.ChaosChecker.FleetSample;
import dev.baton.systemtest.ChaosChecker.History;
import dev.baton.systemtest.ChaosChecker.NodeRef;
import dev.baton.systemtest.ChaosChecker.Rule;
import dev.baton.systemtest.ChaosChecker.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chaos checker against hand-made histories: one that obeys every rule, and for each rule one that breaks it
 * (and only it), so that each rule is seen to fail, with a message naming what is at fault.
 */
class ChaosCheckerTest {
    private static final String CLUSTER = "c1";
    private static final String ROLLOUT = "r1";

    @Test
    void aRunThatObeysEveryRuleHasNoViolation() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1).active("n2").completed();

        List<Violation> violations = ChaosChecker.check(run.history());

        assertThat(violations).isEmpty();
        assertThat(ChaosChecker.held(violations)).containsExactly(Rule.values());
    }

    @Test
    void aHaltedRolloutBreaksLivenessWithItsCodeAndMessage() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").halted("n2", "STEP_RESULT_MISSING");

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> assertThat(v.message())
                .contains(ROLLOUT, "HALTED on n2", "STEP_RESULT_MISSING"));
    }

    @Test
    void aRolloutThatNeverEndsBreaksLiveness() {
        Run run = new Run().accepted().planned(1).node("n1", 1);

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> assertThat(v.rule()).isEqualTo(Rule.LIVENESS));
    }

    @Test
    void aDisruptiveCommandRunTwiceOnTheNodeForOneAttemptBreaksAtMostOnce() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1).active("n2").completed();
        run.logs.get(new NodeRef(CLUSTER, "n2")).add("mx-install 3.5.1"); // a redelivered install ran again

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(Rule.AT_MOST_ONCE);
            assertThat(v.message()).contains("c1/n2", "'mx-install 3.5.1' 2 times", "1 attempt");
        });
    }

    @Test
    void aSecondAttemptMayRunTheCommandAgain() {
        Run run = new Run().accepted().planned(1).node("n1", 1).command("n1", "install", "mx-install 3.5.1", 2, 1)
                .active("n1").completed();

        assertThat(ChaosChecker.check(run.history())).isEmpty();
    }

    @Test
    void aNodeStartedBeforeThePreviousOneIsActiveAgainBreaksTheBudgetOnTheTopics() {
        Run run = new Run().accepted().planned(1).node("n1", 1).node("n2", 1).active("n1").active("n2").completed();

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(Rule.BUDGET);
            assertThat(v.message()).contains("2 nodes down", "[n1, n2]", "maxUnavailable 1", "the topics");
        });
    }

    @Test
    void aRedeliveredCommandReportedStartedAgainAfterItsNodeIsBackIsNoNewDisruption() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1);
        run.startedAgain("cmd-1", "n1", "stop"); // a restarted executor re-reads n1's stop; its ledger says it already ran
        run.active("n2").completed();

        assertThat(ChaosChecker.check(run.history())).isEmpty();
    }

    @Test
    void twoNodesDownWithABudgetOfTwoIsAllowed() {
        Run run = new Run().accepted().planned(2).node("n1", 1).node("n2", 1).active("n1").active("n2").completed();

        assertThat(ChaosChecker.check(run.history())).isEmpty();
    }

    @Test
    void twoNodesDownOnTheFleetItselfBreaksTheBudget() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1).active("n2").completed();
        run.samples.add(new FleetSample(Instant.parse("2026-12-03T09:00:01Z"), CLUSTER, 2));

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(Rule.BUDGET);
            assertThat(v.message()).contains("2 nodes down at once", "sampled from the fleet itself");
        });
    }

    @Test
    void aDisruptiveCommandAfterAHaltBreaksNothingAfterHalt() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").halted("n2", "HEALTH_TIMEOUT")
                .command("n2", "stop", "pmxs stop", 1, 1).resumed().command("n2", "install", "mx-install 3.5.1", 1, 1)
                .command("n2", "start", "pmxs start", 1, 1).active("n2").completed();

        assertThat(onlyRuleBroken(run)).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(Rule.NOTHING_AFTER_HALT);
            assertThat(v.message()).contains("stop for n2", "after RolloutHalted");
        });
    }

    @Test
    void commandsAfterAResumeAreAllowed() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").halted("n2", "HEALTH_TIMEOUT").resumed()
                .node("n2", 1).active("n2").completed();

        assertThat(ChaosChecker.check(run.history())).isEmpty();
    }

    @Test
    void aCommandWithALowerEpochThanOneBeforeItBreaksEpochs() {
        Run run = new Run().accepted().planned(1).node("n1", 2).active("n1").node("n2", 1).active("n2").completed();

        assertThat(onlyRuleBroken(run)).first().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(Rule.EPOCHS);
            assertThat(v.message()).contains("has epoch 1 after epoch 2");
        });
    }

    @Test
    void aMessageStoredTwiceOneNeverStoredAndAWrongTotalBreakTheAudit() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1).active("n2").completed();
        List<String> stored = new ArrayList<>(run.coordinates());
        String twice = stored.get(3);
        String lost = stored.remove(5);
        stored.add(twice);
        run.audit = new Audit(Map.of(CLUSTER, stored), stored.size(), run.entries.size());

        List<Violation> violations = onlyRuleBroken(run);
        assertThat(violations).extracting(Violation::message).anySatisfy(m -> assertThat(m).contains("stored more than once", twice))
                .anySatisfy(m -> assertThat(m).contains("published, never stored", lost));
    }

    @Test
    void aStoredMessageNobodyPublishedAndACountMismatchBreakTheAudit() {
        Run run = new Run().accepted().planned(1).node("n1", 1).active("n1").node("n2", 1).active("n2").completed();
        List<String> stored = new ArrayList<>(run.coordinates());
        stored.add("baton.rollouts.v1/0/999");
        run.audit = new Audit(Map.of(CLUSTER, stored), stored.size(), run.entries.size());

        assertThat(onlyRuleBroken(run)).extracting(Violation::message)
                .anySatisfy(m -> assertThat(m).contains("stored, never published", "baton.rollouts.v1/0/999"))
                .anySatisfy(m -> assertThat(m).contains("the store holds " + stored.size()));
    }

    /** The violations of the run, after asserting they all belong to one rule and every other rule held. */
    private static List<Violation> onlyRuleBroken(Run run) {
        List<Violation> violations = ChaosChecker.check(run.history());
        assertThat(violations).as("violations").isNotEmpty();
        Rule broken = violations.get(0).rule();
        assertThat(violations).as("violations of other rules than %s", broken).allSatisfy(v -> assertThat(v.rule()).isEqualTo(broken));
        EnumSet<Rule> others = EnumSet.allOf(Rule.class);
        others.remove(broken);
        assertThat(ChaosChecker.held(violations)).containsExactlyInAnyOrderElementsOf(others);
        violations.forEach(v -> assertThat(v.toString()).contains(broken.name(), broken.text()));
        return violations;
    }

    /**
     * A history as the topics would hold it: one event per millisecond, each on its own topic's partition 0 at the
     * next offset; the nodes' logs hold what each command sent ran, and the audit store by default exactly the messages.
     */
    private static final class Run {
        private final List<EventLog.Entry> entries = new ArrayList<>();
        private final Map<String, Long> offsets = new HashMap<>();
        private final Map<NodeRef, List<String>> logs = new LinkedHashMap<>();
        private final List<FleetSample> samples = new ArrayList<>();
        private Instant clock = Instant.parse("2026-12-03T09:00:00Z");
        private Audit audit;
        private int commands;

        Run accepted() {
            return add(new RolloutAccepted(ROLLOUT, CLUSTER, "q1", "3.5.1", "ops"));
        }

        Run planned(int maxUnavailable) {
            return add(new RolloutPlanned(ROLLOUT, CLUSTER, "3.5.1", "membership-address-desc", maxUnavailable, false, List.of()));
        }

        /** The node's three steps, each sent and started, and each run on the node once. */
        Run node(String name, long epoch) {
            return command(name, "stop", "pmxs stop", 1, epoch).command(name, "install", "mx-install 3.5.1", 1, epoch)
                    .command(name, "start", "pmxs start", 1, epoch);
        }

        Run command(String node, String step, String line, int attempt, long epoch) {
            String id = "cmd-" + ++commands;
            add(new NodeCommand(id, ROLLOUT, CLUSTER, node, step, NodeCommand.Kind.RUN, line, null, Duration.ofSeconds(10),
                    true, attempt, epoch));
            add(new StepStarted(id, ROLLOUT, CLUSTER, node, step, null, null, null, null));
            logs.computeIfAbsent(new NodeRef(CLUSTER, node), n -> new ArrayList<>(List.of("pmxs status"))).add(line);
            return this;
        }

        /** The executor reports an earlier command started once more (a redelivery); the node does not run it again. */
        Run startedAgain(String commandId, String node, String step) {
            return add(new StepStarted(commandId, ROLLOUT, CLUSTER, node, step, null, null, null, null));
        }

        Run active(String node) {
            return add(new NodeActive(CLUSTER, node, "3.5.1", "boot-1", clock, "probe"));
        }

        Run halted(String node, String code) {
            return add(new RolloutHalted(ROLLOUT, CLUSTER, node, code, "the step's result did not come"));
        }

        Run resumed() {
            return add(new RolloutResumed(ROLLOUT, CLUSTER, null, null, "ops resumed"));
        }

        Run completed() {
            return add(new RolloutCompleted(ROLLOUT, CLUSTER, null, "COMPLETED", "every node done"));
        }

        private Run add(BatonEvent event) {
            long offset = offsets.merge(event.topic(), 1L, Long::sum) - 1;
            clock = clock.plusMillis(1);
            entries.add(new EventLog.Entry(event.topic(), 0, offset, clock, event, null));
            return this;
        }

        List<String> coordinates() {
            return entries.stream().map(e -> e.topic() + "/" + e.partition() + "/" + e.offset()).toList();
        }

        History history() {
            Audit stored = audit != null ? audit : new Audit(Map.of(CLUSTER, coordinates()), entries.size(), entries.size());
            return new History(entries, logs, samples, stored);
        }
    }
}
