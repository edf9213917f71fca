package dev.baton.sandbox.world;

import java.time.Instant;
import java.util.List;

/**
 * A safety net for Ctrl-C at any moment, e.g. while a service is still starting (not yet in the list
 * {@link BatonServices} stops): on JVM exit, every process this JVM started gets SIGTERM, then SIGKILL after 15 s.
 */
public final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Installs the shutdown hook; {@code threadName} names it in thread dumps. */
    public static void stopAllOnExit(String threadName) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
            children.forEach(ProcessHandle::destroy);
            Instant deadline = Instant.now().plusSeconds(15);
            for (ProcessHandle child : children) {
                while (child.isAlive() && Instant.now().isBefore(deadline)) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (child.isAlive()) {
                    child.destroyForcibly();
                }
            }
        }, threadName));
    }
}
