package dev.baton.contracts;

import java.time.Instant;
import java.util.List;

/** The cluster started running mixed versions at {@code at}. */
public record MixedVersionWindowOpened(
        String rolloutId,
        String clusterId,
        Instant at,
        List<String> versions) implements RolloutEvent {

    public MixedVersionWindowOpened {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }
}
