package dev.baton.sandbox.fleet;

import java.util.function.Supplier;

/** Standard input of one exec: the first command that reads it gets it, later ones read nothing. Touches no topic. */
final class ShellInput {
    private Supplier<byte[]> source;

    ShellInput(Supplier<byte[]> source) {
        this.source = source;
    }

    byte[] take() {
        Supplier<byte[]> s = source;
        source = null;
        return s == null ? new byte[0] : s.get();
    }
}
