package dev.baton.sandbox.junit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.SandboxPostgres;

/**
 * JUnit 5 extension that hands tests the JVM's shared sandbox services: a {@link SandboxKafka} parameter (all
 * {@code baton.*} topics created) or a {@link SandboxPostgres} parameter, each started on first use.
 */
public class BatonSandboxExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SandboxKafka.class || type == SandboxPostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SandboxKafka.class ? SandboxKafka.shared() : SandboxPostgres.shared();
    }
}
