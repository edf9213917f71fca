package dev.baton.planner.rollout;

/** A named guard that holds the next node back; published as GuardBlocked when it starts to hold. */
record GuardBlock(String code, String nodeName, String message) {
    static final String BUDGET = "BUDGET";
    static final String LAST_OLD_NODE = "LAST_OLD_NODE";
    static final String SHARED_RESOURCE = "SHARED_RESOURCE";
    static final String MAINTENANCE_WINDOW = "MAINTENANCE_WINDOW";
    static final String MIXED_VERSION_DEADLINE = "MIXED_VERSION_DEADLINE";
}
