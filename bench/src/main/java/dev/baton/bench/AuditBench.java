package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit figures of issue 8: runs {@link dev.baton.audit.AuditBenchmark} (this module, the audit store's package:
 * N synthetic events stored through {@code AuditLog} in batches of 500 on an embedded PostgreSQL, then 200 queries by
 * rollout and 200 by one-hour range, then a full chain verification) in a JVM of its own, keeps its output,
 * and reads its figures. No Kafka topics are involved: it measures the audit store.
 */
public final class AuditBench {
    private static final Pattern INGEST = Pattern.compile("^ingest: ([\\d,]+) events in ([\\d.]+) s = ([\\d,]+) events/s",
            Pattern.MULTILINE);
    private static final Pattern BY_ROLLOUT = query("query by rollout");
    private static final Pattern BY_RANGE = query("query by 1 h time range");
    private static final Pattern VERIFY = Pattern.compile("^verify \\(all chains\\): ([\\d,]+) records, ok=(\\w+), ([\\d.]+) s",
            Pattern.MULTILINE);

    /** What AuditBenchmark printed. Latencies in milliseconds. */
    public record Figures(long events, double ingestSeconds, long ingestPerSecond, double rolloutP50, double rolloutP99,
                          double rangeP50, double rangeP99, long verifiedRecords, boolean verifyOk, double verifySeconds) {

        /** CSV, one metric per line, the same columns as rolling-upgrade.csv (the value column holds the metric's unit). */
        public String csv() {
            String scenario = String.format(Locale.ROOT, "audit %d events", events);
            return String.join("\n",
                    "scenario,metric,contender,value,unit",
                    line(scenario, "ingest-rate", ingestPerSecond, "events/s"),
                    line(scenario, "ingest-time", ingestSeconds, "s"),
                    line(scenario, "query-by-rollout-p50", rolloutP50, "ms"),
                    line(scenario, "query-by-rollout-p99", rolloutP99, "ms"),
                    line(scenario, "query-by-1h-range-p50", rangeP50, "ms"),
                    line(scenario, "query-by-1h-range-p99", rangeP99, "ms"),
                    line(scenario, "verify-all-chains", verifySeconds, verifyOk ? "s (ok)" : "s (NOT OK)")) + "\n";
        }

        /** Markdown rows for the README. */
        public String markdown() {
            return String.format(Locale.ROOT, """
                    | audit store, %,d events | figure |
                    |---|---:|
                    | ingest | %,d events/s (%.1f s) |
                    | compliance query by rollout | p50 %.2f ms, p99 %.2f ms |
                    | compliance query by 1 h time range | p50 %.2f ms, p99 %.2f ms |
                    | verify every hash chain | %,d records, %s, %.1f s |
                    """, events, ingestPerSecond, ingestSeconds, rolloutP50, rolloutP99, rangeP50, rangeP99, verifiedRecords,
                    verifyOk ? "ok" : "NOT OK", verifySeconds);
        }

        private static String line(String scenario, String metric, double value, String unit) {
            return String.join(",", scenario, metric, "baton-audit", String.format(Locale.ROOT, "%.2f", value), unit);
        }
    }

    private AuditBench() {
    }

    private static Pattern query(String what) {
        return Pattern.compile("^" + Pattern.quote(what) + ": \\d+ queries, [\\d,]+ rows, p50 ([\\d.]+) ms, p99 ([\\d.]+) ms",
                Pattern.MULTILINE);
    }

    /** The figures in AuditBenchmark's output; fails naming the line that is missing. */
    public static Figures parse(String output) {
        Matcher ingest = find(INGEST, output, "ingest: ...");
        Matcher rollout = find(BY_ROLLOUT, output, "query by rollout: ...");
        Matcher range = find(BY_RANGE, output, "query by 1 h time range: ...");
        Matcher verify = find(VERIFY, output, "verify (all chains): ...");
        return new Figures(number(ingest.group(1)), Double.parseDouble(ingest.group(2)), number(ingest.group(3)),
                Double.parseDouble(rollout.group(1)), Double.parseDouble(rollout.group(2)),
                Double.parseDouble(range.group(1)), Double.parseDouble(range.group(2)),
                number(verify.group(1)), Boolean.parseBoolean(verify.group(2)), Double.parseDouble(verify.group(3)));
    }

    /** The JVM command that runs AuditBenchmark with {@code events} events, on this JVM's (the bench's) classpath. */
    static List<String> command(String classPath, int events) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", classPath,
                "dev.baton.audit.AuditBenchmark", Integer.toString(events));
    }

    /** Runs AuditBenchmark, its output to {@code log}, and reads the figures. */
    public static Figures run(Path repoRoot, int events, Path log, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command(System.getProperty("java.class.path"), events)).directory(repoRoot.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("the audit benchmark did not finish within " + timeout + "; see " + log);
        }
        String output = Files.readString(log);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("the audit benchmark failed (exit " + process.exitValue() + "); see " + log);
        }
        return parse(output);
    }

    private static Matcher find(Pattern pattern, String output, String what) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("the audit benchmark printed no '" + what + "' line");
        }
        return matcher;
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
