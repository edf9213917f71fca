package dev.baton.procedure;

import java.util.List;
import java.util.Optional;

/**
 * How to upgrade one product: node ordering, the release notes' compatibility table, the ordered
 * steps each node goes through, the health probe that says when a node is back, and the rules the planner
 * enforces ({@link ProcedureRules}).
 * Loaded from YAML by {@link ProcedureParser}.
 */
public record Procedure(
        String name,
        String product,
        OrderingPolicy ordering,
        List<CompatibilityRule> compatibility,
        List<StepDefinition> steps,
        HealthProbe health,
        String orderingLabel,
        ProcedureRules.Artifact artifact,
        ProcedureRules.Remedy remedy,
        ProcedureRules.Guards guards,
        ProcedureRules.MixedVersionDeadline mixedVersion,
        ProcedureRules.OutOfOrderRemedy outOfOrder) {

    public Procedure {
        compatibility = List.copyOf(compatibility);
        steps = List.copyOf(steps);
        remedy = remedy == null ? ProcedureRules.Remedy.NONE : remedy;
        guards = guards == null ? ProcedureRules.Guards.NONE : guards;
    }

    /** The step with this name, if any. */
    public Optional<StepDefinition> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * Whether a rolling update from {@code running} to {@code target} is allowed. With no table
     * entry for the target, rolling is allowed (the procedure states no restriction).
     */
    public boolean allowsRolling(String running, String target) {
        Optional<CompatibilityRule> rule = compatibility.stream().filter(r -> r.appliesTo(target)).findFirst();
        return rule.map(r -> r.allowsRollingFrom(running)).orElse(true);
    }
}
