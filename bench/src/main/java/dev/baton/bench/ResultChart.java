package dev.baton.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a {@link ResultTable} as a PNG with plain Java2D (headless): one horizontal bar per contender, the part
 * up to the physical limit in grey and the overhead above it in colour, plus the control-plane hop figures.
 */
public final class ResultChart {
    static final int WIDTH = 900;
    static final int HEIGHT = 360;
    private static final Color LIMIT = new Color(0xB0B0B0);
    private static final Color[] OVERHEAD = {new Color(0x2A7AB0), new Color(0xD0652B), new Color(0x5A9E4B)};

    private ResultChart() {
    }

    /** Renders the chart. */
    public static BufferedImage render(ResultTable table) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        try {
            int rounds = table.runs().isEmpty() ? 1 : table.runs().get(0).rounds().size();
            g.drawString("Rolling upgrade, " + table.scenario() + ": wall time vs physical limit"
                    + (rounds > 1 ? " (median of " + rounds + " rounds)" : ""), 20, 28);

            List<String> labels = new ArrayList<>();
            List<Duration> values = new ArrayList<>();
            labels.add("physical limit");
            values.add(table.limit());
            for (ResultTable.Run run : table.runs()) {
                labels.add(run.contender() + (run.completed() ? "" : " (incomplete)"));
                values.add(run.wallTime());
            }
            double max = values.stream().mapToDouble(d -> d.toNanos() / 1e9).max().orElse(1);
            max = Math.max(max, 1e-3);
            int left = 190;
            int right = WIDTH - 190;
            int top = 50;
            int barHeight = 36;
            int gap = 18;
            double scale = (right - left) / max;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            double limitSeconds = table.limit().toNanos() / 1e9;
            for (int i = 0; i < labels.size(); i++) {
                int y = top + i * (barHeight + gap);
                double seconds = values.get(i).toNanos() / 1e9;
                int limitWidth = (int) Math.round(Math.min(seconds, limitSeconds) * scale);
                int fullWidth = (int) Math.round(seconds * scale);
                g.setColor(LIMIT);
                g.fillRect(left, y, limitWidth, barHeight);
                if (fullWidth > limitWidth) {
                    g.setColor(OVERHEAD[(i + OVERHEAD.length - 1) % OVERHEAD.length]);
                    g.fillRect(left + limitWidth, y, fullWidth - limitWidth, barHeight);
                }
                g.setColor(Color.BLACK);
                g.drawString(labels.get(i), 20, y + barHeight / 2 + 5);
                String value = String.format(Locale.ROOT, "%.1f s", seconds)
                        + (i == 0 ? "" : String.format(Locale.ROOT, "  (+%.1f s, %.2fx)", seconds - limitSeconds,
                        limitSeconds == 0 ? Double.NaN : seconds / limitSeconds));
                g.drawString(value, left + fullWidth + 6, y + barHeight / 2 + 5);
            }
            int limitX = left + (int) Math.round(limitSeconds * scale);
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            int bottom = top + labels.size() * (barHeight + gap) - gap;
            g.drawLine(limitX, top - 6, limitX, bottom + 6);
            g.setStroke(new BasicStroke(1f));

            int y = bottom + 34;
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT,
                    "Baton : Ansible  wall time %s, overhead %s   (grey: physical limit = steps %s s + stabilisation %s s)",
                    ResultTable.number(table.batonToAnsible()), ResultTable.number(table.overheadBatonToAnsible()),
                    ResultTable.secs(table.stepTime()), ResultTable.secs(table.stabilisationTime())), 20, y);
            if (table.hop() != null) {
                Percentiles hop = table.hop();
                g.drawString(String.format(Locale.ROOT,
                        "Control-plane hop (NodeActive -> next node's StepStarted, n=%d): p50 %d ms, p99 %d ms, max %d ms",
                        hop.count(), hop.p50().toMillis(), hop.p99().toMillis(), hop.max().toMillis()), 20, y + 22);
            }
            if (table.breakdown() != null) {
                BatonRunAnalysis.Breakdown parts = table.breakdown();
                g.drawString(String.format(Locale.ROOT,
                        "Baton's overhead by part: start %.1f s, between steps %.1f s, health detection %.1f s, hops %.1f s, end %.1f s",
                        parts.start().toMillis() / 1000.0, parts.steps().minus(table.stepTime()).toMillis() / 1000.0,
                        parts.health().minus(table.stabilisationTime()).toMillis() / 1000.0, parts.hops().toMillis() / 1000.0,
                        parts.end().toMillis() / 1000.0), 20, y + 44);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** A white, anti-aliased canvas on the image, black bold title font selected (headless: no display needed). */
    private static Graphics2D canvas(BufferedImage image) {
        System.setProperty("java.awt.headless", "true");
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        return g;
    }

    /** Renders the chart into {@code file} as PNG. */
    public static void write(ResultTable table, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(render(table), "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /**
     * The many-clusters runs as a PNG: per cluster count, one bar per executor count with the completion time, and
     * node upgrades per second written beside it.
     */
    public static BufferedImage renderManyClusters(List<ManyClusters.Outcome> outcomes) {
        int barHeight = 26;
        int gap = 8;
        int height = 90 + outcomes.size() * (barHeight + gap) + 30;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        try {
            g.drawString("Many clusters rolling at once: completion time (first request -> last RolloutCompleted)", 20, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            double max = Math.max(1e-3, outcomes.stream().mapToDouble(o -> o.completion().toNanos() / 1e9).max().orElse(1));
            int left = 230;
            int right = WIDTH - 220;
            double scale = (right - left) / max;
            int top = 50;
            for (int i = 0; i < outcomes.size(); i++) {
                ManyClusters.Outcome o = outcomes.get(i);
                int y = top + i * (barHeight + gap);
                double seconds = o.completion().toNanos() / 1e9;
                int width = (int) Math.round(seconds * scale);
                g.setColor(OVERHEAD[(o.executors() - 1) % OVERHEAD.length]);
                g.fillRect(left, y, width, barHeight);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%,d clusters x %d, %d executor%s", o.clusters(), o.nodesPerCluster(),
                        o.executors(), o.executors() == 1 ? "" : "s"), 20, y + barHeight / 2 + 5);
                g.drawString(String.format(Locale.ROOT, "%.1f s  (%.1f node upgrades/s)", seconds, o.nodeUpgradesPerSecond()),
                        left + width + 6, y + barHeight / 2 + 5);
            }
            int y = top + outcomes.size() * (barHeight + gap) + 20;
            g.drawString(String.format(Locale.ROOT, "one cluster alone at its physical limit: %.1f s",
                    outcomes.isEmpty() ? 0 : outcomes.get(0).clusterLimit().toMillis() / 1000.0), 20, y);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders the many-clusters chart into {@code file} as PNG. */
    public static void writeManyClusters(List<ManyClusters.Outcome> outcomes, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(renderManyClusters(outcomes), "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }
}
