package dev.baton.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ansible-playbook} on a generated {@link AnsiblePlaybook} and times it: the wall time of the
 * process, from its start to its exit, with its whole output kept in a log file.
 */
public final class AnsibleRun {

    /** The outcome: the process's exit code, wall time, and where its output is. */
    public record Result(int exitCode, Duration wallTime, Path log, String version) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private AnsibleRun() {
    }

    /** The {@code ansible-playbook} executable on the PATH, or null when Ansible is not installed. */
    public static Path executable() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "ansible-playbook");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** {@code ansible-playbook --version}'s first line, e.g. {@code ansible-playbook [core 2.14.18]}. */
    public static String version(Path executable) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor(60, TimeUnit.SECONDS);
        return output.lines().findFirst().orElse("ansible-playbook (unknown version)").trim();
    }

    /** Runs the playbook in {@code projectDir} (inventory.ini, ansible.cfg, playbook.yml), its output to {@code log}. */
    public static Result run(Path executable, Path projectDir, Path log, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(List.of(executable.toString(), "playbook.yml"))
                .directory(projectDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("ANSIBLE_CONFIG", projectDir.resolve("ansible.cfg").toString());
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        builder.environment().put("ANSIBLE_FORCE_COLOR", "0");
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("ansible-playbook did not finish within " + timeout + "; see " + log);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        return new Result(process.exitValue(), wall, log, version(executable));
    }
}
