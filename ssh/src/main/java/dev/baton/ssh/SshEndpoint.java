package dev.baton.ssh;

/**
 * Where to log in: a node's (or the jump host's) SSH address, port and user. Its text form, {@code user@host:port}, is
 * what messages and the pool's keys use. Touches no topic.
 */
public record SshEndpoint(String host, int port, String user) {

    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
