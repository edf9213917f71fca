package dev.baton.sandbox.fleet;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The common commands every simulated node has, whatever its product (listed in the sandbox README): {@code true},
 * {@code false}, {@code :}, {@code echo}, {@code hostname}, {@code whoami}, {@code uname}, {@code pwd}, {@code cd},
 * {@code cat} (also {@code /proc/sys/kernel/random/boot_id}), {@code ls}, {@code mkdir}, {@code rm}, {@code mv},
 * {@code test}/{@code [}, {@code tail -c}, {@code kill} (on the machine's {@link Processes}), and the reboot
 * commands. They work on the machine's virtual files and need no lock.
 * Touches no topic.
 */
final class BuiltinCommands {
    /** What {@link #run} answers for a command that is not one of these. */
    static final int NOT_BUILTIN = -1;

    private final Machine machine;
    private final String user;

    BuiltinCommands(Machine machine, String user) {
        this.machine = machine;
        this.user = user;
    }

    /**
     * Runs {@code name args} if it is a built-in command.
     *
     * @param cwd the shell's working directory, one element; {@code cd} changes it
     * @return the exit status, or {@link #NOT_BUILTIN}
     */
    int run(String name, List<String> args, ShellInput stdin, Console console, String[] cwd) {
        switch (name) {
            case "true", ":":
                return 0;
            case "false":
                return 1;
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
            case "tail":
                return tail(args, console, cwd[0]);
            case "kill":
                return kill(args, console);
            case "reboot", "/sbin/reboot", "/usr/sbin/reboot":
                console.requestReboot();
                return 0;
            default:
                break;
        }
        if (List.of("systemctl", "shutdown").contains(name) && (args.equals(List.of("reboot")) || args.contains("-r"))) {
            console.requestReboot();
            return 0;
        }
        return NOT_BUILTIN;
    }

    /** {@code tail -c N file}: the last N bytes of the file. */
    private int tail(List<String> args, Console console, String cwd) {
        if (args.size() != 3 || !args.get(0).equals("-c")) {
            console.err("tail: the simulated node only has tail -c <bytes> <file>");
            return 1;
        }
        int bytes;
        try {
            bytes = Integer.parseInt(args.get(1));
        } catch (NumberFormatException e) {
            console.err("tail: invalid number of bytes: '" + args.get(1) + "'");
            return 1;
        }
        byte[] content = machine.files().read(VirtualFiles.resolve(cwd, args.get(2)));
        if (content == null) {
            console.err("tail: cannot open '" + args.get(2) + "' for reading: No such file or directory");
            return 1;
        }
        int from = Math.max(0, content.length - bytes);
        console.write(new String(content, from, content.length - from, StandardCharsets.UTF_8));
        return 0;
    }

    /** {@code kill [-0|-TERM|-KILL|-9|-15|-s SIG] [--] pid|-pgid...}. */
    private int kill(List<String> args, Console console) {
        int signal = 15;
        int i = 0;
        if (i < args.size() && args.get(i).equals("-s") && i + 1 < args.size()) {
            signal = signalNumber(args.get(i + 1));
            i += 2;
        } else if (i < args.size() && args.get(i).startsWith("-") && !args.get(i).equals("--")) {
            signal = signalNumber(args.get(i).substring(1)); // as in real kill: the first -N is a signal, a group needs --
            i++;
        }
        if (signal < 0) {
            console.err("kill: " + args.get(i - 1) + ": invalid signal specification");
            return 1;
        }
        if (i < args.size() && args.get(i).equals("--")) {
            i++;
        }
        if (i >= args.size()) {
            console.err("kill: usage: kill [-s sigspec | -signum] pid | -pgid");
            return 2;
        }
        int status = 0;
        for (String target : args.subList(i, args.size())) {
            int id;
            try {
                id = Integer.parseInt(target);
            } catch (NumberFormatException e) {
                console.err("kill: " + target + ": arguments must be process or job IDs");
                status = 1;
                continue;
            }
            if (id == 0 || !machine.processes().signal(id, signal)) {
                console.err("kill: (" + id + ") - No such process");
                status = 1;
            }
        }
        return status;
    }

    private static int signalNumber(String name) {
        return switch (name.startsWith("SIG") ? name.substring(3) : name) {
            case "0" -> 0;
            case "TERM", "15" -> 15;
            case "KILL", "9" -> 9;
            case "INT", "2" -> 2;
            case "HUP", "1" -> 1;
            default -> -1;
        };
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

    private int cat(List<String> args, ShellInput stdin, Console console, String cwd) {
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
}
