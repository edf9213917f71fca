package dev.baton.procedure;

import java.util.Arrays;
import java.util.Optional;

/** How a procedure orders the nodes of a cluster for a rollout. */
public enum OrderingPolicy implements YamlNamed {
    /** The order in which the inventory lists the nodes. */
    INVENTORY("inventory"),
    /**
     * Highest address first, compared numerically (10.10.1.10 after 10.10.1.9 in ascending order),
     * using the address the cluster's own membership reports, not any other interface (Matrix Server).
     */
    MEMBERSHIP_ADDRESS_DESC("membership-address-desc"),
    /** By a node label holding a rank, lowest rank first (numeric when every rank is a number); ties keep inventory order. */
    LABEL("label");

    private final String yamlName;

    OrderingPolicy(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }

    public static Optional<OrderingPolicy> fromYaml(String name) {
        return Arrays.stream(values()).filter(p -> p.yamlName.equals(name)).findFirst();
    }
}
