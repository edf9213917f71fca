package dev.baton.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * A block of lines redrawn in place on a terminal (cursor up over the last frame, clear, draw), as
 * {@code baton watch} and {@code baton demo} show their progress. Lines are cut to the terminal's width:
 * a wrapped line would make the cursor-up count wrong. Touches no topic.
 */
final class LiveFrame {
    private final PrintWriter out;
    private final int width;
    private int drawn;

    LiveFrame(PrintWriter out, int width) {
        this.out = out;
        this.width = width;
    }

    /** Replaces the last frame with {@code lines}, after printing {@code above} once above it (log lines that stay). */
    void draw(List<String> above, List<String> lines) {
        StringBuilder text = new StringBuilder();
        if (drawn > 0) {
            text.append("\033[").append(drawn).append("F\033[J");
        }
        above.forEach(l -> text.append(l).append('\n'));
        lines.forEach(l -> text.append(cut(l, width)).append('\n'));
        out.print(text);
        out.flush();
        drawn = lines.size();
    }

    void draw(List<String> lines) {
        draw(List.of(), lines);
    }

    static String cut(String line, int width) {
        return line.length() > width ? line.substring(0, width) : line;
    }
}
