package dev.baton.contracts;

/** Where a node is reached over SSH. Carries no credentials: keys stay with the executor. */
public record SshTarget(String host, int port, String user) {
}
