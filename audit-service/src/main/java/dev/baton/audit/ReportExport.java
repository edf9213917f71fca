package dev.baton.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compliance report as flat facts, one per row: CSV (RFC 4180, with a header) or NDJSON (one JSON object per
 * line). Both hold the same facts with the same column names.
 */
final class ReportExport {
    static final List<String> COLUMNS = List.of("record", "rolloutId", "clusterId", "nodeName", "at", "until",
            "duration", "versionBefore", "versionAfter", "step", "code", "actor", "detail");

    private ReportExport() {
    }

    static String csv(RolloutReport report) {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
        for (Map<String, Object> row : rows(report)) {
            List<String> cells = new ArrayList<>();
            for (String column : COLUMNS) {
                cells.add(cell(row.get(column)));
            }
            out.append(String.join(",", cells)).append("\r\n");
        }
        return out.toString();
    }

    static String ndjson(RolloutReport report, ObjectMapper mapper) throws JsonProcessingException {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> row : rows(report)) {
            Map<String, Object> line = new LinkedHashMap<>();
            for (String column : COLUMNS) {
                line.put(column, row.get(column) == null ? null : row.get(column).toString());
            }
            out.append(mapper.writeValueAsString(line)).append('\n');
        }
        return out.toString();
    }

    /** One fact per row, in the report's order. */
    static List<Map<String, Object>> rows(RolloutReport r) {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (r.request() != null) {
            rows.add(row(r, "request", null, r.request().acceptedAt(), null, null, null, r.request().targetVersion(),
                    null, r.request().requestId(), r.request().requestedBy(), null));
        }
        if (r.plan() != null) {
            for (RolloutReport.PlannedNode n : r.plan().nodes()) {
                rows.add(row(r, "plan", n.nodeName(), r.plan().plannedAt(), null, null, n.fromVersion(),
                        r.plan().targetVersion(), null, n.action(), null,
                        "position " + n.position() + ", address " + n.clusterAddress() + ", steps " + String.join(" ", n.steps())));
            }
        }
        for (RolloutReport.NodeReport n : r.nodes()) {
            rows.add(row(r, "node", n.nodeName(), n.startedAt(), n.upgradedAt(), n.duration(), n.versionBefore(),
                    n.versionAfter(), null, n.status(), null, null));
        }
        for (RolloutReport.Failure f : r.failures()) {
            rows.add(row(r, "failure", f.nodeName(), f.at(), f.remedyAt(), null, null, null, f.step(), f.errorCode(), null,
                    (f.message() == null ? "" : f.message()) + (f.remedy() == null ? "" : " | remedy: " + f.remedy())));
        }
        for (RolloutReport.Notice g : r.guardsBlocked()) {
            rows.add(row(r, "guard", g.nodeName(), g.at(), null, null, null, null, null, g.code(), g.actor(), g.message()));
        }
        for (RolloutReport.Notice i : r.interruptions()) {
            rows.add(row(r, "interruption", i.nodeName(), i.at(), null, null, null, null, null,
                    i.type() + (i.code() == null ? "" : ":" + i.code()), i.actor(), i.message()));
        }
        for (RolloutReport.MixedVersionWindow w : r.mixedVersionWindows()) {
            rows.add(row(r, "mixed-version-window", null, w.openedAt(), w.closedAt(), w.duration(), null, null, null, null,
                    null, String.join(" ", w.versions())));
        }
        rows.add(row(r, "outcome", null, r.outcome().at(), null, r.mixedVersionDuration(), null, null, null,
                r.outcome().status() + (r.outcome().code() == null ? "" : ":" + r.outcome().code()), null, r.outcome().message()));
        return rows;
    }

    private static Map<String, Object> row(RolloutReport r, String record, String node, Instant at, Instant until,
                                           Duration duration, String before, String after, String step, String code,
                                           String actor, String detail) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("record", record);
        row.put("rolloutId", r.rolloutId());
        row.put("clusterId", r.clusterId());
        row.put("nodeName", node);
        row.put("at", at);
        row.put("until", until);
        row.put("duration", duration);
        row.put("versionBefore", before);
        row.put("versionAfter", after);
        row.put("step", step);
        row.put("code", code);
        row.put("actor", actor);
        row.put("detail", detail);
        return row;
    }

    private static String cell(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
