package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The command interpreter of a simulated node: what an exec channel runs. It understands a small shell
 * ({@code cmd1 && cmd2 || cmd3; cmd4}, background jobs {@code cmd &} and {@code wait}, {@code > file},
 * {@code >> file}, {@code < file}, {@code 2>&1}, {@code 2>/dev/null}, {@code $$ $? $!}, {@code sudo}, {@code sh -c},
 * {@code setsid}, {@code kill}, {@code sleep}, {@code exit}) over the words of {@link ShellTokenizer}, runs the
 * common commands with {@link BuiltinCommands}, and hands the rest to the cluster's product through
 * {@link ProductCommands}. Every shell is a process in the machine's {@link Processes}: a killed one runs nothing
 * more, a reboot kills them all. A command's {@code slowCommands} delay is spent when that simple command runs (so a
 * background job is slow, not the exec that started it). A background job's output is discarded (Baton's detached
 * steps redirect theirs to files). Touches no topic.
 */
final class NodeShell {

    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "baton-fleet-background");
        thread.setDaemon(true);
        return thread;
    });
    private static final long KILL_CHECK_MILLIS = 10;

    private final Machine machine;
    private final BuiltinCommands builtins;
    private final ProductCommands products;
    private volatile Runnable backgroundReboot = () -> { };

    NodeShell(Machine machine, SimulatedProduct product, String user) {
        this.machine = machine;
        this.builtins = new BuiltinCommands(machine, user);
        this.products = new ProductCommands(machine, product);
    }

    /** What happens when a background job asks for a reboot (the node reboots; no connection to close first). */
    void onBackgroundReboot(Runnable reboot) {
        this.backgroundReboot = reboot;
    }

    /** One shell: its process, working directory, last status and background jobs. */
    private static final class Sh {
        final Processes.Proc proc;
        final int shellPid;
        final String[] cwd;
        final Map<Integer, Future<Integer>> jobs = new LinkedHashMap<>();
        int status;
        Integer lastBackground;

        Sh(Processes.Proc proc, int shellPid, String cwd) {
            this.proc = proc;
            this.shellPid = shellPid;
            this.cwd = new String[] {cwd};
        }
    }

    /** Runs one command line; {@code stdin} is read only by a command that reads its standard input. */
    CommandResult run(String commandLine, Supplier<byte[]> stdin) {
        Console console = new Console();
        Processes.Proc proc = machine.processes().startLeader();
        try {
            int status = run(commandLine, new ShellInput(stdin), console, new Sh(proc, proc.pid(), machine.home()));
            return new CommandResult(status, console.stdout(), console.stderr(), console.rebootRequested());
        } finally {
            machine.processes().exit(proc);
        }
    }

    private int run(String commandLine, ShellInput stdin, Console console, Sh sh) {
        List<ShellTokenizer.Token> tokens;
        try {
            tokens = ShellTokenizer.tokenize(commandLine, machine.home());
        } catch (IllegalArgumentException e) {
            console.err("sh: syntax error: " + e.getMessage());
            return 2;
        }
        // lists end at ';' or '&' (run in the background); each is an and-or chain
        List<ShellTokenizer.Token> list = new ArrayList<>();
        for (int i = 0; i <= tokens.size(); i++) {
            ShellTokenizer.Token token = i < tokens.size() ? tokens.get(i) : null;
            boolean ends = token == null || token.operator() && (token.text().equals(";") || token.text().equals("&"));
            if (!ends) {
                list.add(token);
                continue;
            }
            if (token != null && token.text().equals("&") && list.isEmpty()) {
                console.err("sh: syntax error near unexpected token '&'");
                return 2;
            }
            if (!list.isEmpty()) {
                if (token != null && token.text().equals("&")) {
                    background(list, sh);
                    sh.status = 0;
                } else {
                    try {
                        sh.status = andOr(list, stdin, console, sh);
                    } catch (Exit exit) {
                        return exit.status;
                    }
                    if (console.rebootRequested()) {
                        return sh.status;
                    }
                }
                list = new ArrayList<>();
            }
            if (sh.proc.killed()) {
                return sh.proc.killedStatus();
            }
        }
        return sh.status;
    }

    /** {@code a && b || c}: runs the chain, each command depending on the status before it. */
    private int andOr(List<ShellTokenizer.Token> tokens, ShellInput stdin, Console console, Sh sh) {
        int status = sh.status;
        String connector = ";";
        List<ShellTokenizer.Token> simple = new ArrayList<>();
        for (int i = 0; i <= tokens.size(); i++) {
            ShellTokenizer.Token token = i < tokens.size() ? tokens.get(i) : null;
            if (token != null && !(token.operator() && List.of("&&", "||").contains(token.text()))) {
                simple.add(token);
                continue;
            }
            if (simple.isEmpty()) {
                console.err("sh: syntax error near unexpected token '" + (token == null ? connector : token.text()) + "'");
                return 2;
            }
            boolean runIt = connector.equals(";") || (connector.equals("&&") == (status == 0));
            if (runIt) {
                if (sh.proc.killed()) {
                    return sh.proc.killedStatus();
                }
                sh.status = status;
                status = simple(simple, stdin, console, sh);
                sh.status = status;
                if (console.rebootRequested()) {
                    return status;
                }
            }
            simple = new ArrayList<>();
            connector = token == null ? ";" : token.text();
        }
        return status;
    }

    /** {@code list &}: a child process in the shell's group runs it; its output goes nowhere. */
    private void background(List<ShellTokenizer.Token> list, Sh sh) {
        Processes.Proc child = machine.processes().startChild(sh.proc);
        Sh job = new Sh(child, sh.shellPid, sh.cwd[0]);
        job.status = sh.status;
        Future<Integer> done = BACKGROUND.submit(() -> {
            Console discarded = new Console();
            try {
                int status = andOr(list, new ShellInput(() -> new byte[0]), discarded, job);
                if (discarded.rebootRequested() && !child.killed()) {
                    backgroundReboot.run();
                }
                return child.killed() ? child.killedStatus() : status;
            } catch (Exit exit) {
                return exit.status;
            } finally {
                machine.processes().exit(child);
            }
        });
        sh.jobs.put(child.pid(), done);
        sh.lastBackground = child.pid();
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

    private int simple(List<ShellTokenizer.Token> raw, ShellInput stdin, Console console, Sh sh) {
        String[] cwd = sh.cwd;
        List<ShellTokenizer.Token> tokens = raw.stream().map(t -> t.operator() ? t
                : new ShellTokenizer.Token(ShellTokenizer.expand(t.text(), sh.shellPid, sh.status, sh.lastBackground), false))
                .toList();
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
                    console.err("sh: '" + token.text() + "' is not supported by the simulated shell (no pipes)");
                    return 2;
                }
            }
        }
        ShellInput input = stdin;
        if ("/dev/null".equals(inFile)) {
            input = new ShellInput(() -> new byte[0]);
        } else if (inFile != null) {
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
        String outPath = outFile == null || outFile.equals("/dev/null") ? null : VirtualFiles.resolve(cwd[0], outFile);
        if (outPath != null) {
            // as a real shell: the file is created (or emptied) before the command runs, which does not run without it
            boolean exists = machine.files().isFile(outPath);
            if (!machine.files().isDirectory(VirtualFiles.parent(outPath))
                    || !(append && exists || machine.files().write(outPath, new byte[0]))) {
                console.err("sh: " + outFile + ": cannot create: No such file or directory");
                return 1;
            }
        }
        Console own = new Console();
        int status = command(words, input, own, sh);
        if (sh.proc.killed()) {
            return sh.proc.killedStatus(); // it died running: what it still had to write is lost
        }
        String out = own.stdout();
        String err = own.stderr();
        if (errToOut) {
            out = out + err;
            err = "";
        }
        if (outPath != null) {
            byte[] before = append ? machine.files().read(outPath) : null;
            String content = (before == null ? "" : new String(before, StandardCharsets.UTF_8)) + out;
            if (!machine.files().write(outPath, content.getBytes(StandardCharsets.UTF_8))) {
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

    private int command(List<String> argv, ShellInput stdin, Console console, Sh sh) {
        String[] cwd = sh.cwd;
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
        if (isShell(name)) {
            if (args.stream().noneMatch(a -> a.equals("-c") || a.equals("-lc"))) {
                // sh ./installer.sh ...: a simple command like any other (its delay, the record of it, its failure)
                Integer stopped = beforeSimpleCommand(words, console, sh);
                if (stopped != null) {
                    return stopped;
                }
            }
            Processes.Proc child = machine.processes().startChild(sh.proc);
            try {
                return sh(args, stdin, console, new Sh(child, child.pid(), cwd[0]));
            } finally {
                machine.processes().exit(child);
            }
        }
        switch (name) {
            case "setsid":
                return setsid(args, stdin, console, sh);
            case "wait":
                return await(args, console, sh);
            case "sleep":
                return sleep(args, console, sh);
            default:
                break;
        }
        Integer stopped = beforeSimpleCommand(words, console, sh);
        if (stopped != null) {
            return stopped;
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

    /**
     * What happens to a simple command before it runs: its {@code slowCommands} delay, the record that it ran, its
     * {@code failCommands} failure. The exit status when it ends there (killed meanwhile, or failed), else null.
     */
    private Integer beforeSimpleCommand(List<String> words, Console console, Sh sh) {
        String line = String.join(" ", words);
        if (!pause(machine.faults().delayFor(line), sh)) {
            return sh.proc.killedStatus(); // killed (or the machine went down) while the command was "running"
        }
        machine.executed().add(line);
        java.util.Optional<String> failure = machine.faults().failureFor(line);
        if (failure.isPresent()) {
            console.err(failure.get());
            return 1;
        }
        return null;
    }

    private static boolean isShell(String name) {
        return List.of("sh", "bash", "/bin/sh", "/bin/bash").contains(name);
    }

    /** {@code setsid cmd}: the command runs as a new process leading a session and group of its own. */
    private int setsid(List<String> args, ShellInput stdin, Console console, Sh sh) {
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty() && rest.get(0).startsWith("-")) {
            rest.remove(0);
        }
        if (rest.isEmpty()) {
            console.err("setsid: no command specified");
            return 1;
        }
        Processes.Proc leader = machine.processes().startLeader();
        Sh own = new Sh(leader, leader.pid(), sh.cwd[0]);
        try {
            // setsid execs its command: a shell it starts keeps the leader's pid (what $$ prints)
            return isShell(rest.get(0)) ? sh(rest.subList(1, rest.size()), stdin, console, own)
                    : command(rest, stdin, console, own);
        } finally {
            machine.processes().exit(leader);
        }
    }

    /** {@code wait [pid...]}: waits for this shell's background jobs; 0, or the status of the last pid named. */
    private int await(List<String> args, Console console, Sh sh) {
        List<Integer> pids = new ArrayList<>();
        for (String arg : args) {
            try {
                pids.add(Integer.parseInt(arg));
            } catch (NumberFormatException e) {
                console.err("wait: " + arg + ": not a pid");
                return 2;
            }
        }
        if (args.isEmpty()) {
            pids.addAll(sh.jobs.keySet());
        }
        int status = 0;
        for (int pid : pids) {
            Future<Integer> job = sh.jobs.remove(pid);
            if (job == null) {
                status = 127;
                continue;
            }
            try {
                status = job.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            } catch (ExecutionException e) {
                status = 255;
            }
        }
        return args.isEmpty() ? 0 : status;
    }

    private int sleep(List<String> args, Console console, Sh sh) {
        double seconds;
        try {
            seconds = args.isEmpty() ? -1 : Double.parseDouble(args.get(0));
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0) {
            console.err("sleep: invalid time interval");
            return 1;
        }
        return pause(Duration.ofMillis((long) (seconds * 1000)), sh) ? 0 : sh.proc.killedStatus();
    }

    /** Waits {@code delay} unless the shell's process is killed first; false if it was. */
    private static boolean pause(Duration delay, Sh sh) {
        long end = System.nanoTime() + delay.toNanos();
        try {
            for (long left = delay.toNanos(); left > 0 && !sh.proc.killed(); left = end - System.nanoTime()) {
                Thread.sleep(Math.min(KILL_CHECK_MILLIS, Math.max(1, left / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !sh.proc.killed();
    }

    private int sh(List<String> args, ShellInput stdin, Console console, Sh sh) {
        String[] cwd = sh.cwd;
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
            return run(rest.get(1), stdin, console, sh);
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
