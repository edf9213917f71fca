package dev.baton.procedure;

/** An enum constant spelled in procedure YAML by {@link #yamlName()}. */
interface YamlNamed {
    String yamlName();
}
