package dev.baton.systemtest;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.world.BatonServices;
import dev.baton.sandbox.world.LocalBaton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The world of one system test class, as a JUnit extension: before the class, the repository's packaged services
 * start with a fleet, every cluster is registered as fleet management would and health sees every node active; after
 * it, everything stops. Use it as {@code @RegisterExtension static final SystemWorld WORLD = SystemWorld.of(...)}.
 */
final class SystemWorld implements BeforeAllCallback, AfterAllCallback {
    private final String name;
    private final FleetSpec fleet;
    private Consumer<LocalBaton> beforeRegistering = baton -> { };
    private Runnable precondition = () -> { };
    private EnvironmentSetup environmentSetup = workDir -> Map.of();
    private boolean registerFleet = true;
    private Function<Path, SandboxKafka> ownKafka;
    private SandboxKafka kafka;
    private Path repoRoot;
    private Path workDir;
    private LocalBaton baton;

    private SystemWorld(String name, FleetSpec fleet) {
        this.name = name;
        this.fleet = fleet;
    }

    /** A world with the fleet of the test resource {@code fleetResource}; logs under {@code system-tests/target/<name>-*}. */
    static SystemWorld of(String name, String fleetResource) {
        return new SystemWorld(name, FleetSpec.fromClasspath(fleetResource));
    }

    /** A world with the fleet written out in {@code fleetYaml}. */
    static SystemWorld ofYaml(String name, String fleetYaml) {
        return new SystemWorld(name, FleetSpec.parse(fleetYaml));
    }

    /** A check that runs before anything starts; it may abort the test class (a missing tool) or fail it. */
    SystemWorld requires(Runnable check) {
        precondition = check;
        return this;
    }

    /**
     * Hosts of the test's own that the services must be configured for (e.g. real OpenSSH nodes behind a jump host):
     * made in the work directory before the services start; what it returns is added to every service's environment.
     */
    SystemWorld serviceEnvironment(EnvironmentSetup setup) {
        environmentSetup = setup;
        return this;
    }

    /** Clusters of the fleet that start with nodes inactive on purpose (e.g. out of order): not awaited active. */
    SystemWorld notAwaitingActive(String... clusterIds) {
        notAwaited.addAll(java.util.List.of(clusterIds));
        return this;
    }

    /** The simulated fleet is not registered: the test registers clusters of its own. */
    SystemWorld withoutRegisteringTheFleet() {
        registerFleet = false;
        return this;
    }

    /**
     * The services use a broker of the world's own instead of the JVM's shared one (e.g. one the test restarts,
     * {@link SandboxKafka#startChildProcess}), made from the work directory before anything starts; closed after.
     */
    SystemWorld withOwnKafka(Function<Path, SandboxKafka> broker) {
        ownKafka = broker;
        return this;
    }

    /** Makes the test's own hosts and says how the services reach them. */
    @FunctionalInterface
    interface EnvironmentSetup {
        Map<String, String> environment(Path workDir) throws Exception;
    }

    /** Something to do once the services run and before the fleet is registered (e.g. start a second planner). */
    SystemWorld beforeRegistering(Consumer<LocalBaton> step) {
        beforeRegistering = step;
        return this;
    }

    private final java.util.Set<String> notAwaited = new java.util.HashSet<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        precondition.run();
        repoRoot = Path.of(System.getProperty("baton.repo.root", "..")).toAbsolutePath().normalize();
        workDir = repoRoot.resolve("system-tests/target/" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(workDir);
        BatonServices.Tuning tuning = BatonServices.Tuning.QUICK_START;
        for (Map.Entry<String, String> variable : environmentSetup.environment(workDir).entrySet()) {
            tuning = tuning.withEnv(variable.getKey(), variable.getValue());
        }
        if (ownKafka != null) {
            kafka = ownKafka.apply(workDir);
            baton = LocalBaton.start(repoRoot, fleet, workDir, "fleet-management-it", tuning, kafka);
        } else {
            baton = LocalBaton.start(repoRoot, fleet, workDir, "fleet-management-it", tuning);
        }
        System.out.println("[" + name + "] services started, logs in " + workDir);
        beforeRegistering.accept(baton);
        if (!registerFleet) {
            return;
        }
        baton.registerFleet();
        for (ClusterRegistered cluster : baton.fleet().registrations()) {
            if (!notAwaited.contains(cluster.clusterId())) {
                baton.awaitAllActive(cluster, Duration.ofSeconds(60));
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (baton != null) {
            baton.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The running services, fleet and event log. */
    LocalBaton baton() {
        return baton;
    }

    /** The repository the services were packaged from. */
    Path repoRoot() {
        return repoRoot;
    }

    /** This test's working directory (service logs and files the test writes). */
    Path workDir() {
        return workDir;
    }
}
