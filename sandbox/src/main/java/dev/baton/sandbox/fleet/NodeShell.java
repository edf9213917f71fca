package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The command interpreter of a simulated node: what an exec channel runs. It understands a small shell
 * ({@code cmd1 && cmd2 || cmd3; cmd4}, {@code > file}, {@code >> file}, {@code < file}, {@code 2>&1},
 * {@code 2>/dev/null}, {@code sudo}, {@code sh -c}, {@code exit}) over the words of {@link ShellTokenizer}, runs
 * the common commands with {@link BuiltinCommands}, and hands the rest to the cluster's product through
 * {@link ProductCommands}. Touches no topic.
 */
final class NodeShell {

    private final Machine machine;
    private final BuiltinCommands builtins;
    private final ProductCommands products;

    NodeShell(Machine machine, SimulatedProduct product, String user) {
        this.machine = machine;
        this.builtins = new BuiltinCommands(machine, user);
        this.products = new ProductCommands(machine, product);
    }

    /** Runs one command line; {@code stdin} is read only by a command that reads its standard input. */
    CommandResult run(String commandLine, Supplier<byte[]> stdin) {
        Console console = new Console();
        int status = run(commandLine, new ShellInput(stdin), console, new String[] {machine.home()});
        return new CommandResult(status, console.stdout(), console.stderr(), console.rebootRequested());
    }

    private int run(String commandLine, ShellInput stdin, Console console, String[] cwd) {
        List<ShellTokenizer.Token> tokens;
        try {
            tokens = ShellTokenizer.tokenize(commandLine, machine.home());
        } catch (IllegalArgumentException e) {
            console.err("sh: syntax error: " + e.getMessage());
            return 2;
        }
        int status = 0;
        String connector = ";";
        List<ShellTokenizer.Token> simple = new ArrayList<>();
        for (int i = 0; i <= tokens.size(); i++) {
            ShellTokenizer.Token token = i < tokens.size() ? tokens.get(i) : null;
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

    private int simple(List<ShellTokenizer.Token> tokens, ShellInput stdin, Console console, String[] cwd) {
        List<String> words = new ArrayList<>();
        String outFile = null;
        boolean append = false;
        String errFile = null;
        boolean errToOut = false;
        String inFile = null;
        for (int i = 0; i < tokens.size(); i++) {
            ShellTokenizer.Token token = tokens.get(i);
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
        ShellInput input = stdin;
        if (inFile != null) {
            String path = VirtualFiles.resolve(cwd[0], inFile);
            byte[] content = machine.files().read(path);
            if (content == null) {
                console.err("sh: " + inFile + ": No such file or directory");
                return 1;
            }
            input = new ShellInput(() -> content);
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
            if (!machine.files().isDirectory(VirtualFiles.parent(path))
                    || !machine.files().write(path, content.getBytes(StandardCharsets.UTF_8))) {
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

    private int command(List<String> argv, ShellInput stdin, Console console, String[] cwd) {
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
        if (name.equals("exit")) {
            throw new Exit(args.isEmpty() ? 0 : parseStatus(args.get(0)));
        }
        if (List.of("sh", "bash", "/bin/sh", "/bin/bash").contains(name)) {
            return sh(args, stdin, console, cwd);
        }
        int builtin = builtins.run(name, args, stdin, console, cwd);
        if (builtin != BuiltinCommands.NOT_BUILTIN) {
            return builtin;
        }
        if (products.runsScript(VirtualFiles.fileName(name))) {
            if (!name.contains("/")) {
                console.err(name + ": command not found");
                return 127;
            }
            return script(name, args, console, cwd[0], name);
        }
        int status = products.run(words, cwd[0], console);
        if (status == ProductCommands.NOT_A_PRODUCT_COMMAND) {
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

    private int sh(List<String> args, ShellInput stdin, Console console, String[] cwd) {
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

    /** Runs a script file: only the scripts the product runs (e.g. an installer) are simulated. */
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
        int status = products.runsScript(VirtualFiles.fileName(path)) ? products.run(argv, cwd, console)
                : ProductCommands.NOT_A_PRODUCT_COMMAND;
        if (status == ProductCommands.NOT_A_PRODUCT_COMMAND) {
            console.err(shown + ": cannot run: the simulated node only runs " + products.scripts());
            return 126;
        }
        return status;
    }
}
