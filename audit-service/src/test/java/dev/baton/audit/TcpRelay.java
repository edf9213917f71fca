package dev.baton.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay in front of a real server (the sandbox PostgreSQL), so that a test can take the server away
 * from one service without stopping it for the other tests: {@link #cut()} closes the listening socket and every
 * relayed connection (new connections are refused, open ones are reset, as when the server's host goes down), and
 * {@link #restore()} listens again on the same port. {@link #freeze()} keeps the connections but relays nothing, as a
 * server that hangs.
 */
final class TcpRelay implements AutoCloseable {
    /** What the relay does with a connection. */
    enum State {
        /** Accepts connections and relays their bytes both ways. */
        OPEN,
        /** Accepts connections but holds every byte: the server looks alive and never answers. */
        FROZEN,
        /** Listens on nothing and holds no connection. */
        CUT
    }

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile State state = State.CUT;

    private TcpRelay(InetSocketAddress target, int port) {
        this.target = target;
        this.port = port;
    }

    /** A relay on a free loopback port to {@code host:port}, open. */
    static TcpRelay to(String host, int port) {
        TcpRelay relay = new TcpRelay(new InetSocketAddress(host, port), freePort());
        relay.restore();
        return relay;
    }

    /** The loopback port clients connect to. */
    int port() {
        return port;
    }

    State state() {
        return state;
    }

    /** Refuses new connections and resets the open ones. */
    synchronized void cut() {
        state = State.CUT;
        notifyAll();
        closeQuietly(listener);
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0); // close with a reset, as a server that went away
            } catch (IOException e) {
                // already closed
            }
            closeQuietly(socket);
        }
        sockets.clear();
    }

    /** Keeps every connection open (and accepts new ones) but relays no byte until {@link #restore()}. */
    synchronized void freeze() {
        if (state == State.CUT) {
            restore();
        }
        state = State.FROZEN;
    }

    /** Listens again on the same port and relays new connections. */
    synchronized void restore() {
        if (state == State.FROZEN) {
            state = State.OPEN;
            notifyAll();
            return;
        }
        if (state == State.OPEN) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " again", e);
        }
        state = State.OPEN;
        daemon("tcp-relay-accept-" + port, () -> acceptAll(listener));
    }

    @Override
    public void close() {
        cut();
    }

    private void acceptAll(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                if (state == State.CUT) { // cut while this connection was being set up
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                daemon("tcp-relay-up-" + port, () -> pump(client, upstream));
                daemon("tcp-relay-down-" + port, () -> pump(upstream, client));
            } catch (IOException e) {
                // the listener was closed by cut(), or the target refused: the client sees its connection drop
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitNotFrozen();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was reset
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private synchronized void awaitNotFrozen() throws IOException {
        while (state == State.FROZEN) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while frozen", e);
            }
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
