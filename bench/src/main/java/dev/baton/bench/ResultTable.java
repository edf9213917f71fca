package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's figures as one table: each contender's wall time for the same rolling upgrade, its overhead
 * above the physical limit, and the control-plane hop. Rendered as CSV (bench/results), as plain text (the
 * console) and as Markdown (the README).
 *
 * @param limit the physical limit (sum of step and stabilisation times)
 * @param runs one row per contender (Baton, Ansible), in the order measured
 * @param hop Baton's control-plane hop (NodeActive to the next node's StepStarted), or null
 * @param plannerHop the planner's part of it (NodeActive to NodeCommand), or null
 * @param breakdown where Baton's wall time went, or null
 */
public record ResultTable(String scenario, Duration limit, Duration stepTime, Duration stabilisationTime, List<Run> runs,
                          Percentiles hop, Percentiles plannerHop, BatonRunAnalysis.Breakdown breakdown) {

    /**
     * One contender's rolling upgrades, one wall time per round.
     *
     * @param completed whether every round rolled every node to the target
     */
    public record Run(String contender, List<Duration> rounds, boolean completed, String note) {
        public Run {
            rounds = List.copyOf(rounds);
            if (rounds.isEmpty()) {
                throw new IllegalArgumentException("a run needs at least one round");
            }
        }

        /** The median of the rounds (the lower middle one for an even count). */
        public Duration wallTime() {
            List<Duration> sorted = rounds.stream().sorted().toList();
            return sorted.get((sorted.size() - 1) / 2);
        }
    }

    public ResultTable {
        runs = List.copyOf(runs);
    }

    /** Wall time minus the limit. */
    public Duration overhead(Run run) {
        return run.wallTime().minus(limit);
    }

    /** Wall time divided by the limit. */
    public double ofLimit(Run run) {
        return ratio(run.wallTime(), limit);
    }

    /** Per round, Baton's wall time divided by Ansible's in the same round (empty unless both ran every round). */
    public List<Double> batonToAnsibleByRound() {
        Run baton = run("baton");
        Run ansible = run("ansible");
        if (baton == null || ansible == null || !baton.completed() || !ansible.completed()
                || baton.rounds().size() != ansible.rounds().size()) {
            return List.of();
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < baton.rounds().size(); i++) {
            ratios.add(ratio(baton.rounds().get(i), ansible.rounds().get(i)));
        }
        return ratios;
    }

    /** Baton's (median) wall time divided by Ansible's, or NaN when either did not run to completion. */
    public double batonToAnsible() {
        Run baton = run("baton");
        Run ansible = run("ansible");
        if (baton == null || ansible == null || !baton.completed() || !ansible.completed()) {
            return Double.NaN;
        }
        return ratio(baton.wallTime(), ansible.wallTime());
    }

    /** Baton's overhead divided by Ansible's, or NaN. */
    public double overheadBatonToAnsible() {
        Run baton = run("baton");
        Run ansible = run("ansible");
        if (baton == null || ansible == null || !baton.completed() || !ansible.completed() || overhead(ansible).isZero()) {
            return Double.NaN;
        }
        return ratio(overhead(baton), overhead(ansible));
    }

    /** The run whose contender name starts with {@code prefix} (case-insensitive), or null. */
    public Run run(String prefix) {
        return runs.stream().filter(r -> r.contender().toLowerCase(Locale.ROOT).startsWith(prefix)).findFirst().orElse(null);
    }

    /** CSV, one metric per line: {@code scenario,metric,contender,seconds,note}. */
    public String csv() {
        List<String> lines = new ArrayList<>();
        lines.add("scenario,metric,contender,seconds,note");
        lines.add(row("physical-limit", "limit", limit, "steps " + secs(stepTime) + " s + stabilisation " + secs(stabilisationTime)
                + " s"));
        for (Run run : runs) {
            lines.add(row("wall-time", run.contender(), run.wallTime(), (run.completed() ? "completed" : "DID NOT COMPLETE")
                    + (run.rounds().size() > 1 ? ", median of " + run.rounds().size() + " rounds" : "")));
            for (int i = 0; run.rounds().size() > 1 && i < run.rounds().size(); i++) {
                lines.add(row("wall-time-round-" + (i + 1), run.contender(), run.rounds().get(i), "round " + (i + 1)));
            }
            lines.add(row("overhead-above-limit", run.contender(), overhead(run), String.format(Locale.ROOT, "%.2fx the limit",
                    ofLimit(run))));
        }
        lines.add(String.join(",", csvField(scenario), "ratio-baton-to-ansible", "baton:ansible", number(batonToAnsible()),
                "wall time ratio (not seconds)"));
        List<Double> byRound = batonToAnsibleByRound();
        for (int i = 0; byRound.size() > 1 && i < byRound.size(); i++) {
            lines.add(String.join(",", csvField(scenario), "ratio-baton-to-ansible-round-" + (i + 1), "baton:ansible",
                    number(byRound.get(i)), "wall time ratio in round " + (i + 1) + " (not seconds)"));
        }
        lines.add(String.join(",", csvField(scenario), "ratio-overhead-baton-to-ansible", "baton:ansible",
                number(overheadBatonToAnsible()), "overhead ratio (not seconds)"));
        if (hop != null) {
            lines.add(row("hop-p50", "baton", hop.p50(), "NodeActive -> next StepStarted, n=" + hop.count()));
            lines.add(row("hop-p99", "baton", hop.p99(), "NodeActive -> next StepStarted, n=" + hop.count()));
            lines.add(row("hop-max", "baton", hop.max(), "NodeActive -> next StepStarted, n=" + hop.count()));
        }
        if (plannerHop != null) {
            lines.add(row("planner-hop-p50", "baton", plannerHop.p50(), "NodeActive -> next NodeCommand"));
            lines.add(row("planner-hop-p99", "baton", plannerHop.p99(), "NodeActive -> next NodeCommand"));
            lines.add(row("planner-hop-max", "baton", plannerHop.max(), "NodeActive -> next NodeCommand"));
        }
        if (breakdown != null) {
            lines.add(row("baton-part-start", "baton", breakdown.start(), "UpgradeRequested -> first StepStarted"));
            lines.add(row("baton-part-steps", "baton", breakdown.steps(), "first StepStarted -> last StepSucceeded per node; of which "
                    + secs(stepTime) + " s is the steps' own time"));
            lines.add(row("baton-part-health", "baton", breakdown.health(), "last StepSucceeded -> NodeActive per node; of which "
                    + secs(stabilisationTime) + " s is the health window"));
            lines.add(row("baton-part-hops", "baton", breakdown.hops(), "NodeActive -> next node's StepStarted"));
            lines.add(row("baton-part-end", "baton", breakdown.end(), "last NodeActive -> RolloutCompleted"));
        }
        return String.join("\n", lines) + "\n";
    }

    /** Baton's wall time by part, each with what the limit allows for it (Markdown rows). */
    private List<String[]> breakdownRows() {
        return List.of(
                new String[] {"request → first step", secs(breakdown.start()), "0.000", secs(breakdown.start())},
                new String[] {"steps (incl. round trips between them)", secs(breakdown.steps()), secs(stepTime),
                    secs(breakdown.steps().minus(stepTime))},
                new String[] {"last step → NodeActive (health)", secs(breakdown.health()), secs(stabilisationTime),
                    secs(breakdown.health().minus(stabilisationTime))},
                new String[] {"NodeActive → next node's first step (hops)", secs(breakdown.hops()), "0.000", secs(breakdown.hops())},
                new String[] {"last NodeActive → RolloutCompleted", secs(breakdown.end()), "0.000", secs(breakdown.end())});
    }

    /** The table as Markdown (pasted into the README). */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(scenario).append(" | wall time | overhead above limit | × limit |\n|---|---:|---:|---:|\n");
        out.append("| physical limit (steps ").append(secs(stepTime)).append(" s + stabilisation ").append(secs(stabilisationTime))
                .append(" s) | ").append(secs(limit)).append(" s | 0 | 1.00 |\n");
        for (Run run : runs) {
            out.append("| ").append(run.contender()).append(run.completed() ? "" : " (DID NOT COMPLETE)").append(" | ")
                    .append(secs(run.wallTime())).append(" s | ").append(secs(overhead(run))).append(" s | ")
                    .append(String.format(Locale.ROOT, "%.2f", ofLimit(run))).append(" |\n");
        }
        out.append("\nBaton : Ansible wall time = **").append(number(batonToAnsible())).append("**, overhead = **")
                .append(number(overheadBatonToAnsible())).append("**").append(roundsNote()).append("\n");
        if (hop != null) {
            out.append("\n| control-plane hop (n=").append(hop.count()).append(") | p50 | p99 | max |\n|---|---:|---:|---:|\n");
            out.append("| NodeActive → next node's StepStarted | ").append(ms(hop.p50())).append(" | ").append(ms(hop.p99()))
                    .append(" | ").append(ms(hop.max())).append(" |\n");
            if (plannerHop != null) {
                out.append("| NodeActive → next node's NodeCommand (planner) | ").append(ms(plannerHop.p50())).append(" | ")
                        .append(ms(plannerHop.p99())).append(" | ").append(ms(plannerHop.max())).append(" |\n");
            }
        }
        if (breakdown != null) {
            out.append("\n| where Baton's time went | Baton | limit | overhead |\n|---|---:|---:|---:|\n");
            for (String[] row : breakdownRows()) {
                out.append("| ").append(row[0]).append(" | ").append(row[1]).append(" s | ").append(row[2]).append(" s | ")
                        .append(row[3]).append(" s |\n");
            }
        }
        return out.toString();
    }

    /** The table for the console. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-44s %10s %12s %8s%n", scenario, "wall", "overhead", "x limit"));
        out.append(String.format(Locale.ROOT, "%-44s %9ss %11ss %8s%n", "physical limit (steps " + secs(stepTime) + " s + stab. "
                + secs(stabilisationTime) + " s)", secs(limit), "0.00", "1.00"));
        for (Run run : runs) {
            out.append(String.format(Locale.ROOT, "%-44s %9ss %11ss %8.2f%n", run.contender() + (run.completed() ? ""
                    : " (DID NOT COMPLETE)"),
                    secs(run.wallTime()), secs(overhead(run)), ofLimit(run)));
        }
        out.append(String.format(Locale.ROOT, "Baton : Ansible  wall time %s   overhead %s%s%n", number(batonToAnsible()),
                number(overheadBatonToAnsible()), roundsNote()));
        if (hop != null) {
            out.append(String.format(Locale.ROOT, "control-plane hop, NodeActive -> next StepStarted (n=%d): p50 %s  p99 %s  max %s%n",
                    hop.count(), ms(hop.p50()), ms(hop.p99()), ms(hop.max())));
        }
        if (plannerHop != null) {
            out.append(String.format(Locale.ROOT, "  of which NodeActive -> next NodeCommand (planner):  p50 %s  p99 %s  max %s%n",
                    ms(plannerHop.p50()), ms(plannerHop.p99()), ms(plannerHop.max())));
        }
        if (breakdown != null) {
            out.append(String.format(Locale.ROOT, "where Baton's time went (%-42s %9s %9s %9s)%n", "part", "Baton", "limit", "overhead"));
            for (String[] row : breakdownRows()) {
                out.append(String.format(Locale.ROOT, "                        %-43s %8ss %8ss %8ss%n", row[0], row[1], row[2], row[3]));
            }
        }
        return out.toString();
    }

    /** "" for one round, else the count and each round's ratio. */
    String roundsNote() {
        List<Double> byRound = batonToAnsibleByRound();
        if (byRound.size() < 2) {
            return "";
        }
        return " (medians of " + byRound.size() + " rounds; wall time ratio per round: "
                + String.join(", ", byRound.stream().map(ResultTable::number).toList()) + ")";
    }

    private String row(String metric, String contender, Duration value, String note) {
        return String.join(",", csvField(scenario), metric, csvField(contender), secs(value), csvField(note));
    }

    /** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
    static String csvField(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
            return "\"" + value.replace("\"", "\"\"") + "\"";
        }
        return value;
    }

    static double ratio(Duration a, Duration b) {
        return b.isZero() ? Double.NaN : a.toNanos() / (double) b.toNanos();
    }

    static String secs(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    static String ms(Duration d) {
        return String.format(Locale.ROOT, "%d ms", d.toMillis());
    }

    static String number(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }
}
