package dev.baton.sandbox.fleet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process table of a simulated machine: every shell an exec channel, {@code sh -c}, {@code setsid} or a
 * background job ({@code &}) starts is a process with a pid and a process group, until it ends or is killed.
 * {@code kill} signals a pid or a group ({@code -pgid}); a reboot kills every process. A killed process runs no
 * further command (a command's {@code slowCommands} delay ends at once), as a real one that got SIGTERM/SIGKILL.
 * Touches no topic.
 */
final class Processes {

    /** One process. */
    static final class Proc {
        private final int pid;
        private final int pgid;
        private volatile int signal;

        private Proc(int pid, int pgid) {
            this.pid = pid;
            this.pgid = pgid;
        }

        int pid() {
            return pid;
        }

        int pgid() {
            return pgid;
        }

        /** Whether a signal ended it. */
        boolean killed() {
            return signal != 0;
        }

        /** The exit status of a process ended by its signal (128 + signal). */
        int killedStatus() {
            return 128 + signal;
        }
    }

    private final AtomicInteger nextPid = new AtomicInteger(1000);
    private final Map<Integer, Proc> table = new ConcurrentHashMap<>();

    /** A process leading a group (and session) of its own: a login shell, or what {@code setsid} runs. */
    Proc startLeader() {
        int pid = nextPid.incrementAndGet();
        Proc proc = new Proc(pid, pid);
        table.put(pid, proc);
        return proc;
    }

    /** A child process in its parent's group. */
    Proc startChild(Proc parent) {
        Proc proc = new Proc(nextPid.incrementAndGet(), parent.pgid());
        table.put(proc.pid(), proc);
        return proc;
    }

    /** The process ended by itself. */
    void exit(Proc proc) {
        table.remove(proc.pid(), proc);
    }

    /** Whether a process with this pid is running. */
    boolean alive(int pid) {
        return table.containsKey(pid);
    }

    /**
     * Sends {@code signal} to the process {@code target}, or to every process of the group {@code -target} if
     * {@code target} is negative; signal 0 only checks that one exists.
     *
     * @return whether a process got it
     */
    boolean signal(int target, int signal) {
        boolean found = false;
        for (Proc proc : table.values()) {
            if (target > 0 ? proc.pid() == target : proc.pgid() == -target) {
                found = true;
                if (signal != 0) {
                    proc.signal = signal;
                    table.remove(proc.pid(), proc);
                }
            }
        }
        return found;
    }

    /** The machine goes down: every process dies. */
    void killAll() {
        for (Proc proc : table.values()) {
            proc.signal = 9;
        }
        table.clear();
    }
}
