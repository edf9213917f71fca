package dev.baton.messaging;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for Kafka acknowledgements of sends that were started without waiting. Touches no topic itself. */
public final class Acks {
    private Acks() {
    }

    /** Waits for every acknowledgement; the first failure is thrown as it is, as an awaited send would have thrown it. */
    public static void awaitAll(List<CompletableFuture<Void>> acks) {
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
