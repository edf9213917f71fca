package dev.baton.planner.plan;

/** Why a request was refused: a stable code and a sentence that says what to do. */
public enum Rejection {
    UNKNOWN_CLUSTER("cluster '%s' is not registered: publish ClusterRegistered on baton.clusters.v1 first"),
    UNKNOWN_PROCEDURE("cluster '%s' names procedure '%s', which the planner does not know"),
    ROLLOUT_OPEN("cluster '%s' already has rollout %s open: wait for it to finish or abort it"),
    BAD_VERSION("target version '%s' is not a dotted numeric version like 5.21.0"),
    BAD_REQUEST("%s"),
    NOT_NEWER("node %s already runs %s, newer than the target %s: set force to downgrade"),
    ALREADY_ON_TARGET("every node of %s already runs %s: set force to re-install"),
    ROLLING_NOT_SUPPORTED("the procedure's release notes do not allow a rolling update from %s to %s on node %s; "
            + "a complete (offline) update is needed: set allowOffline to plan one"),
    COMPATIBILITY_UNKNOWN("the procedure's compatibility table (the release notes) has no row for target %s, so nobody "
            + "has said node %s may be rolled to it from %s: add the row to the procedure, or set "
            + "allowUnknownCompatibility (--allow-unknown-compatibility) if you checked the release notes yourself"),
    PREFLIGHT_NODE_NOT_ACTIVE("node %s is not active (%s): bring it back or name it in exclude"),
    ROLLBACK_UNKNOWN_ROLLOUT("the planner holds no rollout %s of cluster %s (it keeps the last %d finished ones of each "
            + "cluster): check the id with 'baton status --cluster CLUSTER'"),
    ROLLBACK_NOT_FINISHED("rollout %s is %s: only a finished rollout (COMPLETED, HALTED or ABORTED) can be rolled back; "
            + "wait for it to end, or abort it first"),
    ROLLBACK_NOTHING_UPGRADED("rollout %s upgraded no node (%s): there is nothing to roll back"),
    ROLLBACK_FROM_VERSION_UNKNOWN("rollout %s did not record the version node(s) %s ran before it (health had not reported "
            + "one), so there is no version to take them back to: use 'baton upgrade --to VERSION --force --exclude ...'"),
    ROLLBACK_MIXED_FROM_VERSIONS("the nodes rollout %s upgraded came from different versions (%s) and one rollout has one "
            + "target: take them back one version at a time with 'baton upgrade --to VERSION --force --exclude ...'"),
    ROLLBACK_CHANGED_SINCE("node %s runs %s now, not the %s rollout %s left it on: something changed it since (a later "
            + "rollout?); roll that back first, or use 'baton upgrade'");

    private final String template;

    Rejection(String template) {
        this.template = template;
    }

    public String message(Object... args) {
        return String.format(template, args);
    }
}
