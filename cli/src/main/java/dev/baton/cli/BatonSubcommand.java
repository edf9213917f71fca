package dev.baton.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every leaf command: reaches the root {@link BatonCli} for endpoints and output. */
abstract class BatonSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    BatonCli cli() {
        return (BatonCli) spec.root().userObject();
    }
}
