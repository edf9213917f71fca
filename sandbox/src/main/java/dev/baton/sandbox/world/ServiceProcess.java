package dev.baton.sandbox.world;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One packaged Baton service ({@code <module>/target/quarkus-app/quarkus-run.jar}) running as a
 * separate JVM, as a user would run it; its output goes to {@code <workDir>/<module>.log}.
 */
public final class ServiceProcess implements AutoCloseable {
    private final String module;
    private final int httpPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String module, int httpPort, Process process, Path log) {
        this.module = module;
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    /** JVM options the sandbox starts services with: a small heap, tuned for quick start-up rather than throughput. */
    public static final List<String> QUICK_START_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

    /** Starts the service with the given environment (plus {@code QUARKUS_HTTP_PORT}) and waits until it listens. */
    public static ServiceProcess start(Path repoRoot, String module, Map<String, String> env, Path workDir,
                                       Duration startTimeout) {
        return start(repoRoot, module, QUICK_START_JVM, env, workDir, startTimeout);
    }

    /** Starts the service with these JVM options and environment (plus {@code QUARKUS_HTTP_PORT}); waits until it listens. */
    public static ServiceProcess start(Path repoRoot, String module, List<String> jvmOptions, Map<String, String> env,
                                       Path workDir, Duration startTimeout) {
        return startAs(repoRoot.resolve(module), module, jvmOptions, env, workDir, startTimeout);
    }

    /**
     * Starts the packaged service of the module in {@code moduleDir} under {@code name}, which names its log
     * ({@code <workDir>/<name>.log}), so that several instances of one module can run side by side.
     */
    public static ServiceProcess startAs(Path moduleDir, String name, List<String> jvmOptions, Map<String, String> env,
                                       Path workDir, Duration startTimeout) {
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build first with ./mvnw install -DskipTests");
        }
        int port = freePort();
        Path log = workDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(workDir.toFile());
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try {
            Process process = builder.start();
            ServiceProcess service = new ServiceProcess(name, port, process, log);
            service.awaitListening(startTimeout);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void awaitListening(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 200);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
        close();
        throw new IllegalStateException(module + " did not listen on port " + httpPort + " within " + timeout + "; see " + log);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a service", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String module() {
        return module;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the JVM with SIGKILL and waits until it is gone: a crash, with no chance to clean up. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the JVM: SIGTERM first (graceful), then SIGKILL after 10 s. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
