package dev.baton.procedure;

import java.util.Arrays;
import java.util.Optional;

/** What a failed step means for the node (e.g. Dolphin: services would not stop, so a reboot is required). */
public enum FailureMeaning implements YamlNamed {
    /** Stop the rollout; an operator must act. */
    HALT("halt"),
    /** Go on, but the node must be rebooted for the change to take effect. */
    REQUIRE_REBOOT("require-reboot"),
    /** Run the step again (bounded). */
    RETRY("retry");

    private final String yamlName;

    FailureMeaning(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }

    public static Optional<FailureMeaning> fromYaml(String name) {
        return Arrays.stream(values()).filter(p -> p.yamlName.equals(name)).findFirst();
    }
}
