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
     * Whether the release notes speak of {@code target}: false when the procedure has a compatibility table and no
     * row of it applies to the target (the planner then refuses the target unless the request allows unknown
     * compatibility). A procedure without a table makes no claim about any version: every target is known.
     */
    public boolean knowsCompatibilityOf(String target) {
        return compatibility.isEmpty() || compatibility.stream().anyMatch(r -> r.appliesTo(target));
    }

    /**
     * Whether a rolling update from {@code running} to {@code target} is allowed by the target's row. With no row for
     * the target (see {@link #knowsCompatibilityOf}) this says true: the caller decides what an unknown target means.
     */
    public boolean allowsRolling(String running, String target) {
        Optional<CompatibilityRule> rule = compatibility.stream().filter(r -> r.appliesTo(target)).findFirst();
        return rule.map(r -> r.allowsRollingFrom(running)).orElse(true);
    }
}
