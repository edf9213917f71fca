package dev.baton.systemtest;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.LocalBaton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** Starts the world of one system test: the repository's packaged services and a fleet from the test resources. */
final class SystemWorld {
    private SystemWorld() {
    }

    /** Starts everything, with logs under {@code system-tests/target/<name>-<random>}. */
    static LocalBaton start(String name, String fleetResource) throws Exception {
        Path repoRoot = Path.of(System.getProperty("baton.repo.root", "..")).toAbsolutePath().normalize();
        Path workDir = repoRoot.resolve("system-tests/target/" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        LocalBaton baton = LocalBaton.start(repoRoot, FleetSpec.fromClasspath(fleetResource), workDir, "fleet-management-it");
        System.out.println("[" + name + "] services started, logs in " + workDir);
        return baton;
    }

    /** Registers every cluster of the fleet, as fleet management would, and waits until health sees every node active. */
    static void registerAndAwaitActive(LocalBaton baton) throws InterruptedException {
        baton.registerFleet();
        for (ClusterRegistered cluster : baton.fleet().registrations()) {
            baton.awaitAllActive(cluster, Duration.ofSeconds(60));
        }
    }
}
