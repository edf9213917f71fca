package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The command interpreter of a simulated node: what an exec channel runs. It understands a small shell
 * ({@code cmd1 && cmd2 || cmd3; cmd4}, quotes, {@code > file}, {@code >> file}, {@code < file}, {@code 2>&1},
 * {@code 2>/dev/null}, {@code cd}), the common commands listed in the sandbox README, and hands the rest to the
 * cluster's product. The product runs under its monitor; the rest needs no lock. Touches no topic.
 */
final class NodeShell {

    private final Machine machine;
    private final SimulatedProduct product;
    private final String user;

    NodeShell(Machine machine, SimulatedProduct product, String user) {
        this.machine = machine;
        this.product = product;
        this.user = user;
    }

    /** Runs one command line; {@code stdin} is read only by a command that reads its standard input. */
    CommandResult run(String commandLine, Supplier<byte[]> stdin) {
        Console console = new Console();
        int status = run(commandLine, new Input(stdin), console, new String[] {machine.home()});
        return new CommandResult(status, console.stdout(), console.stderr(), console.rebootRequested());
    }

    /** Standard input of one exec: the first command that reads it gets it, later ones read nothing. */
    private static final class Input {
        private Supplier<byte[]> source;

        Input(Supplier<byte[]> source) {
            this.source = source;
        }

        byte[] take() {
            Supplier<byte[]> s = source;
            source = null;
            return s == null ? new byte[0] : s.get();
        }
    }

    private int run(String commandLine, Input stdin, Console console, String[] cwd) {
        List<Token> tokens;
        try {
            tokens = tokenize(commandLine, machine.home());
        } catch (IllegalArgumentException e) {
            console.err("sh: syntax error: " + e.getMessage());
            return 2;
        }
        int status = 0;
        String connector = ";";
        List<Token> simple = new ArrayList<>();
        for (int i = 0; i <= tokens.size(); i++) {
            Token token = i < tokens.size() ? tokens.get(i) : null;
            if (token != null && !(token.operator() && List.of("&&", "||", ";").contains(token.text()))) {
                simple.add(token);
                continue;
            }
            if (simple.isEmpty()) {
                if (token != null && !token.text().equals(";")) {
                    console.err("sh: syntax error near unexpected token '" + token.text() + "'");
                    return 2;
                }
            } else {
                boolean runIt = connector.equals(";") || (connector.equals("&&") == (status == 0));
                if (runIt) {
                    try {
                        status = simple(simple, stdin, console, cwd);
                    } catch (Exit exit) {
                        return exit.status;
                    }
                    if (console.rebootRequested()) {
                        return status;
                    }
                }
                simple = new ArrayList<>();
            }
            connector = token == null ? ";" : token.text();
        }
        return status;
    }

    /** {@code exit n} ends the whole command line. */
    private static final class Exit extends RuntimeException {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    // ---- one simple command with its redirections --------------------------------------------------------------

    private int simple(List<Token> tokens, Input stdin, Console console, String[] cwd) {
        List<String> words = new ArrayList<>();
        String outFile = null;
        boolean append = false;
        String errFile = null;
        boolean errToOut = false;
        String inFile = null;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (!token.operator()) {
                words.add(token.text());
                continue;
            }
            switch (token.text()) {
                case "2>&1" -> errToOut = true;
                case ">", ">>", "2>", "<" -> {
                    if (i + 1 >= tokens.size() || tokens.get(i + 1).operator()) {
                        console.err("sh: syntax error: '" + token.text() + "' needs a file name");
                        return 2;
                    }
                    String target = tokens.get(++i).text();
                    switch (token.text()) {
                        case ">" -> {
                            outFile = target;
                            append = false;
                        }
                        case ">>" -> {
                            outFile = target;
                            append = true;
                        }
                        case "2>" -> errFile = target;
                        default -> inFile = target;
                    }
                }
                default -> {
                    console.err("sh: '" + token.text() + "' is not supported by the simulated shell (no pipes or background jobs)");
                    return 2;
                }
            }
        }
        Input input = stdin;
        if (inFile != null) {
            String path = VirtualFiles.resolve(cwd[0], inFile);
            byte[] content = machine.files().read(path);
            if (content == null) {
                console.err("sh: " + inFile + ": No such file or directory");
                return 1;
            }
            input = new Input(() -> content);
        }
        if (words.isEmpty()) {
            return 0;
        }
        Console own = new Console();
        int status = command(words, input, own, cwd);
        String out = own.stdout();
        String err = own.stderr();
        if (errToOut) {
            out = out + err;
            err = "";
        }
        if (outFile != null && !outFile.equals("/dev/null")) {
            String path = VirtualFiles.resolve(cwd[0], outFile);
            byte[] before = append ? machine.files().read(path) : null;
            String content = (before == null ? "" : new String(before, StandardCharsets.UTF_8)) + out;
            if (!machine.files().isDirectory(VirtualFiles.parent(path)) || !machine.files().write(path, content.getBytes(StandardCharsets.UTF_8))) {
                console.err("sh: " + outFile + ": cannot create: No such file or directory");
                return 1;
            }
        } else if (outFile == null) {
            console.write(out);
        }
        if (errFile == null) {
            console.writeErr(err);
        } else if (!errFile.equals("/dev/null")) {
            machine.files().write(VirtualFiles.resolve(cwd[0], errFile), err.getBytes(StandardCharsets.UTF_8));
        }
        if (own.rebootRequested()) {
            console.requestReboot();
        }
        return status;
    }

    // ---- the commands ------------------------------------------------------------------------------------------

    private int command(List<String> argv, Input stdin, Console console, String[] cwd) {
        List<String> words = new ArrayList<>(argv);
        if (!words.isEmpty() && words.get(0).equals("sudo")) {
            words.remove(0);
            while (!words.isEmpty() && words.get(0).startsWith("-")) {
                words.remove(0);
            }
        }
        if (words.isEmpty()) {
            return 0;
        }
        String name = words.get(0);
        List<String> args = words.subList(1, words.size());
        switch (name) {
            case "true", ":":
                return 0;
            case "false":
                return 1;
            case "exit":
                throw new Exit(args.isEmpty() ? 0 : parseStatus(args.get(0)));
            case "echo":
                return echo(args, console);
            case "hostname":
                console.out(machine.name());
                return 0;
            case "whoami":
                console.out(user);
                return 0;
            case "uname":
                return uname(args, console);
            case "pwd":
                console.out(cwd[0]);
                return 0;
            case "cd":
                return cd(args, cwd, console);
            case "cat":
                return cat(args, stdin, console, cwd[0]);
            case "ls":
                return ls(args, console, cwd[0]);
            case "mkdir":
                return mkdir(args, console, cwd[0]);
            case "rm":
                return rm(args, console, cwd[0]);
            case "mv":
                return mv(args, console, cwd[0]);
            case "test":
                return test(args, cwd[0]);
            case "[":
                if (args.isEmpty() || !args.get(args.size() - 1).equals("]")) {
                    console.err("[: missing ']'");
                    return 2;
                }
                return test(args.subList(0, args.size() - 1), cwd[0]);
            case "reboot", "/sbin/reboot", "/usr/sbin/reboot":
                console.requestReboot();
                return 0;
            case "sh", "bash", "/bin/sh", "/bin/bash":
                return sh(args, stdin, console, cwd);
            default:
                break;
        }
        if (List.of("systemctl", "shutdown").contains(name) && (args.equals(List.of("reboot")) || args.contains("-r"))) {
            console.requestReboot();
            return 0;
        }
        if (DolphinExpressWare.INSTALLER.matcher(VirtualFiles.fileName(name)).matches()) {
            if (!name.contains("/")) {
                console.err(name + ": command not found");
                return 127;
            }
            return script(name, args, console, cwd[0], name);
        }
        int status;
        synchronized (product) {
            status = product.run(machine, words, cwd[0], console);
        }
        if (status < 0) {
            console.err(name + ": command not found");
            return 127;
        }
        return status;
    }

    private static int parseStatus(String text) {
        try {
            return Integer.parseInt(text) & 0xff;
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    private int sh(List<String> args, Input stdin, Console console, String[] cwd) {
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty() && rest.get(0).startsWith("-") && !rest.get(0).equals("-c") && !rest.get(0).equals("-lc")) {
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            console.err("sh: the simulated shell needs a script or -c <command line> (no interactive shell)");
            return 2;
        }
        if (rest.get(0).equals("-c") || rest.get(0).equals("-lc")) {
            if (rest.size() < 2) {
                console.err("sh: -c: option requires an argument");
                return 2;
            }
            return run(rest.get(1), stdin, console, new String[] {cwd[0]});
        }
        return script(rest.get(0), rest.subList(1, rest.size()), console, cwd[0], "sh: " + rest.get(0));
    }

    /** Runs a script file: only the Dolphin eXpressWare installers (the SIA) are simulated. */
    private int script(String scriptArg, List<String> args, Console console, String cwd, String shown) {
        String path = VirtualFiles.resolve(cwd, scriptArg);
        if (machine.files().isDirectory(path)) {
            console.err(shown + ": Is a directory");
            return 126;
        }
        if (!machine.files().isFile(path)) {
            console.err(shown + ": No such file or directory");
            return 127;
        }
        List<String> argv = new ArrayList<>();
        argv.add(path);
        argv.addAll(args);
        int status = -1;
        if (DolphinExpressWare.INSTALLER.matcher(VirtualFiles.fileName(path)).matches()) {
            synchronized (product) {
                status = product.run(machine, argv, cwd, console);
            }
        }
        if (status < 0) {
            console.err(shown + ": cannot run: the simulated node only runs the Dolphin eXpressWare installer (SIA)");
            return 126;
        }
        return status;
    }

    private static int echo(List<String> args, Console console) {
        boolean newline = true;
        List<String> words = args;
        if (!words.isEmpty() && words.get(0).equals("-n")) {
            newline = false;
            words = words.subList(1, words.size());
        }
        console.write(String.join(" ", words) + (newline ? "\n" : ""));
        return 0;
    }

    private int uname(List<String> args, Console console) {
        String option = args.isEmpty() ? "-s" : args.get(0);
        String kernel = "5.14.0-simulated";
        switch (option) {
            case "-s" -> console.out("Linux");
            case "-m", "-p", "-i" -> console.out(machine.arch());
            case "-n" -> console.out(machine.name());
            case "-r" -> console.out(kernel);
            case "-a" -> console.out("Linux " + machine.name() + " " + kernel + " #1 SMP " + machine.arch() + " GNU/Linux");
            default -> {
                console.err("uname: invalid option -- '" + option + "'");
                return 1;
            }
        }
        return 0;
    }

    private int cd(List<String> args, String[] cwd, Console console) {
        String target = VirtualFiles.resolve(cwd[0], args.isEmpty() ? machine.home() : args.get(0));
        if (!machine.files().isDirectory(target)) {
            console.err("sh: cd: " + (args.isEmpty() ? target : args.get(0)) + ": No such file or directory");
            return 1;
        }
        cwd[0] = target;
        return 0;
    }

    private int cat(List<String> args, Input stdin, Console console, String cwd) {
        List<String> files = args.stream().filter(a -> !a.startsWith("-") || a.equals("-")).toList();
        if (files.isEmpty()) {
            files = List.of("-");
        }
        int status = 0;
        for (String file : files) {
            if (file.equals("-")) {
                console.write(new String(stdin.take(), StandardCharsets.UTF_8));
                continue;
            }
            String path = VirtualFiles.resolve(cwd, file);
            if (path.equals(Machine.BOOT_ID_FILE)) {
                console.out(machine.bootId());
                continue;
            }
            byte[] content = machine.files().read(path);
            if (content != null) {
                console.write(new String(content, StandardCharsets.UTF_8));
            } else {
                console.err("cat: " + file + (machine.files().isDirectory(path) ? ": Is a directory" : ": No such file or directory"));
                status = 1;
            }
        }
        return status;
    }

    private int ls(List<String> args, Console console, String cwd) {
        List<String> paths = args.stream().filter(a -> !a.startsWith("-")).toList();
        if (paths.isEmpty()) {
            paths = List.of(".");
        }
        int status = 0;
        for (String arg : paths) {
            String path = VirtualFiles.resolve(cwd, arg);
            if (machine.files().isDirectory(path)) {
                if (paths.size() > 1) {
                    console.out(arg + ":");
                }
                machine.files().list(path).forEach(console::out);
            } else if (machine.files().isFile(path)) {
                console.out(arg);
            } else {
                console.err("ls: cannot access '" + arg + "': No such file or directory");
                status = 2;
            }
        }
        return status;
    }

    private int mkdir(List<String> args, Console console, String cwd) {
        boolean parents = args.contains("-p");
        int status = 0;
        for (String arg : args.stream().filter(a -> !a.startsWith("-")).toList()) {
            String path = VirtualFiles.resolve(cwd, arg);
            VirtualFiles files = machine.files();
            if (files.isDirectory(path) && parents) {
                continue;
            }
            if (files.exists(path)) {
                console.err("mkdir: cannot create directory '" + arg + "': File exists");
                status = 1;
            } else if (!parents && !files.isDirectory(VirtualFiles.parent(path))) {
                console.err("mkdir: cannot create directory '" + arg + "': No such file or directory");
                status = 1;
            } else if (!files.mkdirs(path)) {
                console.err("mkdir: cannot create directory '" + arg + "': Not a directory");
                status = 1;
            }
        }
        return status;
    }

    private int rm(List<String> args, Console console, String cwd) {
        String flags = String.join("", args.stream().filter(a -> a.startsWith("-")).toList());
        boolean recursive = flags.contains("r") || flags.contains("R");
        boolean force = flags.contains("f");
        int status = 0;
        for (String arg : args.stream().filter(a -> !a.startsWith("-")).toList()) {
            String path = VirtualFiles.resolve(cwd, arg);
            VirtualFiles files = machine.files();
            if (files.isDirectory(path) && !recursive) {
                console.err("rm: cannot remove '" + arg + "': Is a directory");
                status = 1;
            } else if (!files.delete(path) && !force) {
                console.err("rm: cannot remove '" + arg + "': No such file or directory");
                status = 1;
            }
        }
        return status;
    }

    /** {@code mv [-f] from to}: renames within the node (atomically, as rename(2) does on one file system). */
    private int mv(List<String> args, Console console, String cwd) {
        List<String> paths = args.stream().filter(a -> !a.startsWith("-")).toList();
        if (paths.size() != 2) {
            console.err("mv: the simulated shell moves exactly one source to one target");
            return 1;
        }
        String from = VirtualFiles.resolve(cwd, paths.get(0));
        String to = VirtualFiles.resolve(cwd, paths.get(1));
        if (!machine.files().exists(from)) {
            console.err("mv: cannot stat '" + paths.get(0) + "': No such file or directory");
            return 1;
        }
        if (!machine.files().move(from, to)) {
            console.err("mv: cannot move '" + paths.get(0) + "' to '" + paths.get(1) + "'");
            return 1;
        }
        return 0;
    }

    private int test(List<String> args, String cwd) {
        if (args.size() == 2) {
            String path = VirtualFiles.resolve(cwd, args.get(1));
            return switch (args.get(0)) {
                case "-e" -> machine.files().exists(path) ? 0 : 1;
                case "-f" -> machine.files().isFile(path) ? 0 : 1;
                case "-d" -> machine.files().isDirectory(path) ? 0 : 1;
                case "-n" -> args.get(1).isEmpty() ? 1 : 0;
                case "-z" -> args.get(1).isEmpty() ? 0 : 1;
                default -> 2;
            };
        }
        if (args.size() == 3 && (args.get(1).equals("=") || args.get(1).equals("!="))) {
            return args.get(0).equals(args.get(2)) == args.get(1).equals("=") ? 0 : 1;
        }
        return args.size() == 1 && !args.get(0).isEmpty() ? 0 : 1;
    }

    // ---- tokens ------------------------------------------------------------------------------------------------

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
            } else if (c == '~' && !inWord && (i + 1 == line.length() || line.charAt(i + 1) == '/' || Character.isWhitespace(line.charAt(i + 1)))) {
                word.append(home);
                inWord = true;
                i++;
            } else if (c == '$' && line.startsWith("$HOME", i)) {
                word.append(home);
                inWord = true;
                i += 5;
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
}
