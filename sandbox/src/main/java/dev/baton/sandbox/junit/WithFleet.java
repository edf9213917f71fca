package dev.baton.sandbox.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names the fleet spec (a classpath resource) that {@link BatonSandboxExtension} starts for a test class. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WithFleet {
    /** Classpath resource of the fleet spec YAML. */
    String value() default "/fleets/demo.yaml";
}
