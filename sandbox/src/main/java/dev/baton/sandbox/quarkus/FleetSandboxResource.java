package dev.baton.sandbox.quarkus;

import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Quarkus test resource that starts a {@link SimulatedFleet} (the demo fleet unless the init arg {@code fleet}
 * names another spec: a classpath resource such as {@code /fleets/mine.yaml}, or a file path) and points the
 * service at it: {@code baton.ssh.known-hosts} and {@code baton.ssh.private-key}. The test reaches the running
 * fleet through {@link #fleet()}. Touches no topic (publishing {@link SimulatedFleet#registrations()} is the test's job).
 *
 * <pre>{@code @QuarkusTestResource(value = FleetSandboxResource.class, initArgs = @ResourceArg(name = "fleet", value =
 * "/fleets/demo.yaml"))}</pre>
 */
public class FleetSandboxResource implements QuarkusTestResourceLifecycleManager {

    /** The init arg naming the fleet spec. */
    public static final String FLEET_ARG = "fleet";
    public static final String DEFAULT_FLEET = "/fleets/demo.yaml";

    private static volatile SimulatedFleet current;

    private String fleetSpec = DEFAULT_FLEET;
    private SimulatedFleet fleet;
    private Path workDir;

    /** The fleet the most recently started resource runs. */
    public static SimulatedFleet fleet() {
        SimulatedFleet running = current;
        if (running == null) {
            throw new IllegalStateException(
                    "no simulated fleet is running: add @QuarkusTestResource(FleetSandboxResource.class) to the test");
        }
        return running;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        String arg = initArgs.get(FLEET_ARG);
        if (arg != null && !arg.isBlank()) {
            fleetSpec = arg.strip();
        }
    }

    @Override
    public Map<String, String> start() {
        try {
            workDir = Files.createTempDirectory("baton-fleet-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory for the simulated fleet", e);
        }
        fleet = SimulatedFleet.start(loadSpec(fleetSpec), workDir);
        current = fleet;
        return Map.of(
                "baton.ssh.known-hosts", fleet.knownHostsFile().toString(),
                "baton.ssh.private-key", fleet.clientPrivateKey().toString());
    }

    static FleetSpec loadSpec(String spec) {
        if (spec.startsWith("classpath:")) {
            return FleetSpec.fromClasspath(spec.substring("classpath:".length()));
        }
        Path file = Path.of(spec);
        return Files.isRegularFile(file) ? FleetSpec.load(file) : FleetSpec.fromClasspath(spec);
    }

    @Override
    public void stop() {
        if (fleet != null) {
            fleet.close();
            if (current == fleet) {
                current = null;
            }
            fleet = null;
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is harmless
            }
            workDir = null;
        }
    }
}
