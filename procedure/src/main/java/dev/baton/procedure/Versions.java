package dev.baton.procedure;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Dotted numeric versions ({@code 3.5.1}, {@code 5.21.0}) compared number by number: the one version scheme every
 * procedure uses. The planner's engine and its REST API both read a target version with {@link #isValid}.
 */
public final class Versions {
    /** Each number at most 18 digits, so that it fits a {@code long} and {@link #compare} never overflows. */
    private static final Pattern DOTTED = Pattern.compile("\\d{1,18}(\\.\\d{1,18})*");

    /** What {@link #isValid} accepts, in words for error messages. */
    public static final String FORMAT = "numbers separated by dots, like 5.21.0 or 3.5.1";

    /** Orders versions numerically: 3.5.10 after 3.5.9. */
    public static final Comparator<String> ORDER = Versions::compare;

    private Versions() {
    }

    public static boolean isValid(String version) {
        return version != null && DOTTED.matcher(version).matches();
    }

    public static int compare(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            long l = i < left.length ? Long.parseLong(left[i]) : 0;
            long r = i < right.length ? Long.parseLong(right[i]) : 0;
            if (l != r) {
                return Long.compare(l, r);
            }
        }
        return 0;
    }

    /** Whether a version matches a pattern like {@code 5.20.*} or {@code 5.20.1}. */
    public static boolean matches(String pattern, String version) {
        if (pattern.endsWith(".*")) {
            String prefix = pattern.substring(0, pattern.length() - 1);
            return version.startsWith(prefix);
        }
        return compare(pattern, version) == 0;
    }
}
