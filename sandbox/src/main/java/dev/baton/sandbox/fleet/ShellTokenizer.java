package dev.baton.sandbox.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated shell's tokenizer: words (quotes, backslashes, {@code ~}, {@code $HOME} and {@code $SHELL} expanded,
 * {@code #} comments dropped) and operators ({@code && || ; | & > >> < 2> 2>&1}). The parameters only known when a
 * command runs ({@code $$}, {@code $?}, {@code $!}) are left as markers for {@link #expand}; inside single quotes
 * they stay plain text. Pure; knows no command. Touches no topic.
 */
final class ShellTokenizer {
    /** Starts a run-time parameter marker in a word: followed by {@code $}, {@code ?} or {@code !}. */
    static final char PARAMETER = '\uE000';
    /** What {@code $SHELL} is on a simulated node. */
    static final String SHELL = "/bin/sh";

    private ShellTokenizer() {
    }

    /** A word, or an operator ({@code && || ; | & > >> < 2> 2>&1}). */
    record Token(String text, boolean operator) {
    }

    static List<Token> tokenize(String line, String home) {
        List<Token> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated quote (')");
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (i < line.length() && line.charAt(i) != '"') {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    } else if (d == '$' && line.startsWith("$HOME", i)) {
                        word.append(home);
                        i += 5;
                    } else if (d == '$' && line.startsWith("$SHELL", i)) {
                        word.append(SHELL);
                        i += 6;
                    } else if (d == '$' && i + 1 < line.length() && "$?!".indexOf(line.charAt(i + 1)) >= 0) {
                        word.append(PARAMETER).append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated quote (\")");
                }
                inWord = true;
                i++;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    tokens.add(new Token(word.toString(), false));
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '~' && !inWord
                    && (i + 1 == line.length() || line.charAt(i + 1) == '/' || Character.isWhitespace(line.charAt(i + 1)))) {
                word.append(home);
                inWord = true;
                i++;
            } else if (c == '$' && line.startsWith("$HOME", i)) {
                word.append(home);
                inWord = true;
                i += 5;
            } else if (c == '$' && line.startsWith("$SHELL", i)) {
                word.append(SHELL);
                inWord = true;
                i += 6;
            } else if (c == '$' && i + 1 < line.length() && "$?!".indexOf(line.charAt(i + 1)) >= 0) {
                word.append(PARAMETER).append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (c == '2' && !inWord && line.startsWith("2>", i)) {
                String op = line.startsWith("2>&1", i) ? "2>&1" : "2>";
                tokens.add(new Token(op, true));
                i += op.length();
            } else if ("&|;<>".indexOf(c) >= 0) {
                if (inWord) {
                    tokens.add(new Token(word.toString(), false));
                    word.setLength(0);
                    inWord = false;
                }
                String op = String.valueOf(c);
                if (i + 1 < line.length() && line.charAt(i + 1) == c && c != ';' && c != '<') {
                    op = op + c;
                }
                tokens.add(new Token(op, true));
                i += op.length();
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            tokens.add(new Token(word.toString(), false));
        }
        return tokens;
    }

    /** A word with its run-time parameters filled in: {@code $$} the shell's pid, {@code $?} the last status, {@code $!} the last job. */
    static String expand(String word, int shellPid, int lastStatus, Integer lastBackground) {
        if (word.indexOf(PARAMETER) < 0) {
            return word;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c != PARAMETER || i + 1 >= word.length()) {
                out.append(c);
                continue;
            }
            char name = word.charAt(++i);
            out.append(switch (name) {
                case '$' -> String.valueOf(shellPid);
                case '?' -> String.valueOf(lastStatus);
                default -> lastBackground == null ? "" : String.valueOf(lastBackground);
            });
        }
        return out.toString();
    }
}
