package dev.baton.sandbox.fleet;

import java.util.regex.Pattern;

/**
 * A dotted numeric product version ({@code 3.5.1}, {@code 5.21.0}) as the simulated products compare it:
 * number by number, so 3.5.10 is newer than 3.5.9 and 3.5 equals 3.5.0. Touches no topic.
 */
public record Version(String text) implements Comparable<Version> {

    private static final Pattern DOTTED = Pattern.compile("\\d+(\\.\\d+)*");

    public Version {
        if (!isValid(text)) {
            throw new IllegalArgumentException("'" + text + "' is not a version (expected digits and dots, e.g. 3.5.1)");
        }
    }

    /** Parses a dotted version, or throws IllegalArgumentException saying what a version looks like. */
    public static Version parse(String text) {
        return new Version(text);
    }

    public static boolean isValid(String text) {
        return text != null && DOTTED.matcher(text).matches();
    }

    /** Compares two version strings numerically. */
    public static int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    @Override
    public int compareTo(Version other) {
        String[] left = text.split("\\.");
        String[] right = other.text.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int c = compareNumber(i < left.length ? left[i] : "0", i < right.length ? right[i] : "0");
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    public boolean newerThan(Version other) {
        return compareTo(other) > 0;
    }

    /** Compares two digit strings of any length as numbers. */
    private static int compareNumber(String a, String b) {
        String x = a.replaceFirst("^0+(?=\\d)", "");
        String y = b.replaceFirst("^0+(?=\\d)", "");
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }

    @Override
    public String toString() {
        return text;
    }
}
