package dev.baton.sandbox.fleet;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.Factory;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.io.IoServiceFactory;
import org.apache.sshd.common.io.IoServiceFactoryFactory;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactory;
import org.apache.sshd.common.util.closeable.AbstractCloseable;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;

/**
 * The I/O every node's SSH server of one fleet shares: one NIO2 channel group with a few worker threads, and one
 * timer thread. By default each Apache MINA SSHD server brings its own group, worker pool, resume pool and timer
 * (five or more threads per node), so a fleet of thousands of simulated nodes would need tens of thousands of
 * threads; with this, a node costs a listening socket and its sessions. Touches no topic.
 */
final class SharedSshIo implements IoServiceFactoryFactory, AutoCloseable {
    /** Worker threads of the shared channel group. */
    static final int WORKERS = 4;

    private final ScheduledExecutorService timer;
    private Nio2ServiceFactory io;

    SharedSshIo() {
        AtomicInteger count = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "baton-fleet-sshd-timer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Makes the server use the shared I/O and timer (before it starts). */
    void attach(SshServer sshd) {
        CoreModuleProperties.NIO_WORKERS.set(sshd, WORKERS);
        sshd.setIoServiceFactoryFactory(this);
        sshd.setScheduledExecutorService(timer, false);
    }

    /**
     * The first server's manager configures the shared group (every node's server sets the same socket options); each
     * server gets a handle whose close leaves the shared group running.
     */
    @Override
    public synchronized IoServiceFactory create(FactoryManager manager) {
        if (io == null) {
            io = new Nio2ServiceFactory(manager, null, null);
        }
        return new Handle(io);
    }

    @Override
    public void setExecutorServiceFactory(Factory<CloseableExecutorService> factory) {
        // the shared group brings its own workers
    }

    @Override
    public synchronized void close() {
        if (io != null) {
            io.close(true);
            io = null;
        }
        timer.shutdownNow();
    }

    /** One server's view of the shared I/O: creates acceptors and connectors on it; closing it closes nothing shared. */
    private static final class Handle extends AbstractCloseable implements IoServiceFactory {
        private final Nio2ServiceFactory shared;

        Handle(Nio2ServiceFactory shared) {
            this.shared = shared;
        }

        @Override
        public IoConnector createConnector(IoHandler handler) {
            return shared.createConnector(handler);
        }

        @Override
        public IoAcceptor createAcceptor(IoHandler handler) {
            return shared.createAcceptor(handler);
        }

        @Override
        public IoServiceEventListener getIoServiceEventListener() {
            return shared.getIoServiceEventListener();
        }

        @Override
        public void setIoServiceEventListener(IoServiceEventListener listener) {
            // per-server listeners are not used by the simulated fleet
        }
    }
}
