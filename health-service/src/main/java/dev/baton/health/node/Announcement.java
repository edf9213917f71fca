package dev.baton.health.node;

/** The last edge published for a node on {@code baton.health.v1}: what the rest of Baton believes. */
public enum Announcement {
    NONE,
    ACTIVE,
    INACTIVE
}
