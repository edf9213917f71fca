package dev.baton.sandbox.junit;

import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.SandboxPostgres;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests the sandbox: a {@link SandboxKafka} parameter (all {@code baton.*}
 * topics created) or a {@link SandboxPostgres} parameter, the JVM's shared instances, each started on first use;
 * and a {@link SimulatedFleet} parameter, started once per test class from the spec named by {@link WithFleet}
 * (default: the demo fleet) and stopped after the class.
 */
public class BatonSandboxExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(BatonSandboxExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == SandboxKafka.class || type == SandboxPostgres.class || type == SimulatedFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == SandboxKafka.class) {
            return SandboxKafka.shared();
        }
        if (type == SandboxPostgres.class) {
            return SandboxPostgres.shared();
        }
        Class<?> testClass = context.getRequiredTestClass();
        ExtensionContext classContext = context.getParent().filter(p -> p.getTestMethod().isEmpty()
                && p.getTestClass().isPresent()).orElse(context);
        // an AutoCloseable in the store is closed when the class's context closes
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(testClass, c -> startFleet(testClass), SimulatedFleet.class);
    }

    private static SimulatedFleet startFleet(Class<?> testClass) {
        WithFleet annotation = testClass.getAnnotation(WithFleet.class);
        String resource = annotation == null ? "/fleets/demo.yaml" : annotation.value();
        try {
            return SimulatedFleet.start(FleetSpec.fromClasspath(resource), Files.createTempDirectory("baton-fleet-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work folder for the fleet " + resource, e);
        }
    }
}
