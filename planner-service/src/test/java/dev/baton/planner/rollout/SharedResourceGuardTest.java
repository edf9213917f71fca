package dev.baton.planner.rollout;

import static dev.baton.planner.rollout.EngineHarness.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.contracts.GuardBlocked;
import dev.baton.contracts.RolloutPlanned;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Matrix PSFS rule as a guard: "After the PSFS filesystem has been unmounted on the last node running the older
 * release, the filesystem cannot be mounted on a node running the older release unless it is first unmounted on the
 * nodes running 3.5.1."
 */
class SharedResourceGuardTest {
    private static final Map<String, String> ADDRESSES = Map.of("srv1", "10.10.1.1", "srv2", "10.10.1.2", "srv3", "10.10.1.3");
    private final EngineHarness h = new EngineHarness();

    @Test
    void theLastOldNodeWithPsfsIsNotTakenDownWhileAnotherOldNodeHasItUnmountedUntilThatNodeMountsIt() {
        h.registerAllActive(RolloutEngineTest.referenceMatrix(), "3.5.0");
        // srv1 (old, last in the order) has PSFS unmounted; srv3 and srv2 have it
        h.membership("matrix-prod", ADDRESSES, Map.of("srv1", false, "srv2", true, "srv3", true));
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(5);

        // srv3 went first (srv2 still had PSFS on the old version); srv3 on 3.5.1 has it mounted again
        h.membership("matrix-prod", ADDRESSES, Map.of("srv1", false, "srv2", true, "srv3", true));
        h.drive(5);
        assertThat(h.commandOrder()).containsExactly("srv3:stop", "srv3:install", "srv3:start");
        GuardBlocked blocked = h.published.stream().filter(GuardBlocked.class::isInstance).map(GuardBlocked.class::cast)
                .filter(g -> g.code().equals("SHARED_RESOURCE")).findFirst().orElseThrow();
        assertThat(blocked.nodeName()).isEqualTo("srv2");
        assertThat(blocked.message()).contains("holds PSFS /psfs").contains("[srv1] (old version) do not");

        // the operator mounts PSFS on srv1 (psfs mount): the guard lets srv2 go, and the rollout completes
        h.membership("matrix-prod", ADDRESSES, Map.of("srv1", true, "srv2", true, "srv3", true));
        h.drive(5);
        assertThat(h.commandOrder()).containsSubsequence("srv3:start", "srv2:stop", "srv1:stop");
        assertThat(h.eventNames()).endsWith("RolloutCompleted");
    }

    @Test
    void whenEveryOldNodeHoldsItOrNoNewNodeDoesNothingIsHeldBack() {
        h.registerAllActive(RolloutEngineTest.referenceMatrix(), "3.5.0");
        h.membership("matrix-prod", ADDRESSES, Map.of("srv1", true, "srv2", true, "srv3", true));
        h.request(upgrade("matrix-prod", "3.5.1"));
        h.drive(10);

        assertThat(h.eventNames()).noneMatch(e -> e.endsWith(":SHARED_RESOURCE")).endsWith("RolloutCompleted");
        RolloutPlanned plan = (RolloutPlanned) h.published.stream().filter(RolloutPlanned.class::isInstance).findFirst()
                .orElseThrow();
        assertThat(plan.guards()).anyMatch(g -> g.startsWith("the last old-version node holding PSFS /psfs"));
    }
}
