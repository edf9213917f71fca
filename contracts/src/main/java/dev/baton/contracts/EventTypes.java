package dev.baton.contracts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CloudEvents type names ({@code dev.baton.<Event>.v1}) and the topic of every event record. */
public final class EventTypes {
    public static final String PREFIX = "dev.baton.";
    public static final String VERSION_SUFFIX = ".v1";

    // CloudEvents type names, one per event record (EventTypesTest checks them against the registry)
    public static final String CLUSTER_REGISTERED = PREFIX + "ClusterRegistered" + VERSION_SUFFIX;
    public static final String UPGRADE_REQUESTED = PREFIX + "UpgradeRequested" + VERSION_SUFFIX;
    public static final String ROLLOUT_CONTROL = PREFIX + "RolloutControl" + VERSION_SUFFIX;
    public static final String NODE_COMMAND = PREFIX + "NodeCommand" + VERSION_SUFFIX;
    public static final String STEP_STARTED = PREFIX + "StepStarted" + VERSION_SUFFIX;
    public static final String STEP_OUTPUT = PREFIX + "StepOutput" + VERSION_SUFFIX;
    public static final String STEP_SUCCEEDED = PREFIX + "StepSucceeded" + VERSION_SUFFIX;
    public static final String STEP_FAILED = PREFIX + "StepFailed" + VERSION_SUFFIX;
    public static final String NODE_ACTIVE = PREFIX + "NodeActive" + VERSION_SUFFIX;
    public static final String NODE_INACTIVE = PREFIX + "NodeInactive" + VERSION_SUFFIX;
    public static final String MEMBERSHIP_OBSERVED = PREFIX + "MembershipObserved" + VERSION_SUFFIX;
    public static final String ROLLOUT_ACCEPTED = PREFIX + "RolloutAccepted" + VERSION_SUFFIX;
    public static final String ROLLOUT_REJECTED = PREFIX + "RolloutRejected" + VERSION_SUFFIX;
    public static final String ROLLOUT_PLANNED = PREFIX + "RolloutPlanned" + VERSION_SUFFIX;
    public static final String NODE_UPGRADE_STARTED = PREFIX + "NodeUpgradeStarted" + VERSION_SUFFIX;
    public static final String NODE_UPGRADED = PREFIX + "NodeUpgraded" + VERSION_SUFFIX;
    public static final String ROLLOUT_PAUSED = PREFIX + "RolloutPaused" + VERSION_SUFFIX;
    public static final String ROLLOUT_RESUMED = PREFIX + "RolloutResumed" + VERSION_SUFFIX;
    public static final String ROLLOUT_HALTED = PREFIX + "RolloutHalted" + VERSION_SUFFIX;
    public static final String ROLLOUT_ABORTED = PREFIX + "RolloutAborted" + VERSION_SUFFIX;
    public static final String ROLLOUT_COMPLETED = PREFIX + "RolloutCompleted" + VERSION_SUFFIX;
    public static final String GUARD_BLOCKED = PREFIX + "GuardBlocked" + VERSION_SUFFIX;
    public static final String MIXED_VERSION_WINDOW_OPENED = PREFIX + "MixedVersionWindowOpened" + VERSION_SUFFIX;
    public static final String MIXED_VERSION_WINDOW_CLOSED = PREFIX + "MixedVersionWindowClosed" + VERSION_SUFFIX;
    public static final String OUT_OF_ORDER_DETECTED = PREFIX + "OutOfOrderDetected" + VERSION_SUFFIX;
    public static final String DEAD_LETTER = PREFIX + "DeadLetter" + VERSION_SUFFIX;

    private static final Map<Class<? extends BatonEvent>, String> TOPICS = new LinkedHashMap<>();
    private static final Map<String, Class<? extends BatonEvent>> BY_TYPE = new LinkedHashMap<>();

    static {
        register(Topics.CLUSTERS, ClusterRegistered.class);
        register(Topics.REQUESTS, UpgradeRequested.class, RolloutControl.class);
        register(Topics.COMMANDS, NodeCommand.class);
        register(Topics.RESULTS, StepStarted.class, StepOutput.class, StepSucceeded.class, StepFailed.class);
        register(Topics.HEALTH, NodeActive.class, NodeInactive.class, MembershipObserved.class);
        register(Topics.ROLLOUTS, RolloutAccepted.class, RolloutRejected.class, RolloutPlanned.class,
                NodeUpgradeStarted.class, NodeUpgraded.class, RolloutPaused.class, RolloutResumed.class,
                RolloutHalted.class, RolloutAborted.class, RolloutCompleted.class, GuardBlocked.class,
                MixedVersionWindowOpened.class, MixedVersionWindowClosed.class, OutOfOrderDetected.class);
        register(Topics.DEADLETTER, DeadLetter.class);
    }

    @SafeVarargs
    private static void register(String topic, Class<? extends BatonEvent>... types) {
        for (Class<? extends BatonEvent> type : types) {
            TOPICS.put(type, topic);
            BY_TYPE.put(typeName(type), type);
        }
    }

    private static String typeName(Class<?> type) {
        return PREFIX + type.getSimpleName() + VERSION_SUFFIX;
    }

    /** The CloudEvents type of an event class. */
    public static String typeOf(Class<? extends BatonEvent> type) {
        if (!TOPICS.containsKey(type)) {
            throw new IllegalArgumentException("not a registered Baton event: " + type.getName());
        }
        return typeName(type);
    }

    /** The topic an event class travels on. */
    public static String topicOf(Class<? extends BatonEvent> type) {
        String topic = TOPICS.get(type);
        if (topic == null) {
            throw new IllegalArgumentException("not a registered Baton event: " + type.getName());
        }
        return topic;
    }

    /** The event class for a CloudEvents type, if Baton knows it. */
    public static Optional<Class<? extends BatonEvent>> classOf(String type) {
        return Optional.ofNullable(type == null ? null : BY_TYPE.get(type));
    }

    /** Every registered event class. */
    public static List<Class<? extends BatonEvent>> all() {
        return List.copyOf(TOPICS.keySet());
    }

    private EventTypes() {
    }
}
