package dev.baton.health.node;

/** Where a node stands, as the health service sees it (shown by the REST view; not published). */
public enum Phase {
    /** Nothing announced yet and no good probe in a row. */
    UNKNOWN,
    /** Good probes in a row, not yet enough to announce the node active. */
    STARTING,
    /** Announced active and the last probe was good. */
    ACTIVE,
    /** Announced active, but the last probe(s) failed; not yet enough failures to announce it inactive. */
    SUSPECT,
    /** Announced inactive. */
    INACTIVE
}
