package dev.baton.sandbox.world;

import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.NodeActive;
import dev.baton.sandbox.SandboxKafka;
import dev.baton.sandbox.SandboxPostgres;
import dev.baton.sandbox.fleet.FleetSpec;
import dev.baton.sandbox.fleet.SimulatedFleet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A whole Baton on one machine: Kafka, PostgreSQL, a simulated fleet, the four services as
 * separate processes, a fleet-management publisher and a read-back of every topic. Used by the
 * demo and the system tests.
 */
public final class LocalBaton implements AutoCloseable {
    private final SandboxKafka kafka;
    private final SandboxPostgres postgres;
    private final SimulatedFleet fleet;
    private final BatonServices services;
    private final FleetManagement fleetManagement;
    private final EventLog eventLog;

    private LocalBaton(SandboxKafka kafka, SandboxPostgres postgres, SimulatedFleet fleet, BatonServices services,
                       FleetManagement fleetManagement, EventLog eventLog) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.fleet = fleet;
        this.services = services;
        this.fleetManagement = fleetManagement;
        this.eventLog = eventLog;
    }

    /**
     * Starts everything. Kafka and PostgreSQL are the JVM's shared sandbox instances (from the
     * environment, Testcontainers or embedded); the services are the packaged jars under {@code repoRoot}.
     */
    public static LocalBaton start(Path repoRoot, FleetSpec spec, Path workDir, String actor) throws Exception {
        return start(repoRoot, spec, workDir, actor, BatonServices.Tuning.QUICK_START);
    }

    /** {@link #start(Path, FleetSpec, Path, String)} with the services' JVMs and settings tuned (e.g. for benchmarks). */
    public static LocalBaton start(Path repoRoot, FleetSpec spec, Path workDir, String actor,
                                   BatonServices.Tuning tuning) throws Exception {
        return start(repoRoot, spec, workDir, actor, tuning, SandboxKafka.shared());
    }

    /**
     * {@link #start(Path, FleetSpec, Path, String, BatonServices.Tuning)} on a broker of the caller's (e.g. one it
     * restarts, {@link SandboxKafka#startChildProcess}); the caller closes it after this.
     */
    public static LocalBaton start(Path repoRoot, FleetSpec spec, Path workDir, String actor,
                                   BatonServices.Tuning tuning, SandboxKafka kafka) throws Exception {
        Files.createDirectories(workDir);
        SandboxPostgres postgres = SandboxPostgres.shared();
        String auditDb = postgres.newDatabase("audit_" + Long.toString(System.nanoTime(), 36));
        SimulatedFleet fleet = SimulatedFleet.start(spec, workDir.resolve("fleet"));
        BatonServices services = null;
        try {
            services = BatonServices.start(repoRoot, new BatonServices.Wiring(kafka.bootstrapServers(), auditDb,
                    postgres.username(), postgres.password(), fleet.knownHostsFile(), fleet.clientPrivateKey()), workDir, tuning);
            return new LocalBaton(kafka, postgres, fleet, services, new FleetManagement(kafka.bootstrapServers(), actor),
                    new EventLog(kafka.bootstrapServers()));
        } catch (Exception e) {
            if (services != null) {
                services.close();
            }
            fleet.close();
            throw e;
        }
    }

    /** Publishes every cluster of the fleet on baton.clusters.v1, as fleet management would. */
    public void registerFleet() {
        fleet.registrations().forEach(fleetManagement::publish);
    }

    /**
     * Waits until health has reported every node of the cluster active and the planner knows the cluster (it reads
     * baton.clusters.v1 on a consumer of its own: a request published before that would be rejected UNKNOWN_CLUSTER).
     */
    public void awaitAllActive(ClusterRegistered cluster, Duration timeout) throws InterruptedException {
        Set<String> expected = cluster.nodes().stream().map(ClusterRegistered.Node::name).collect(Collectors.toSet());
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Set<String> active = eventLog.events(NodeActive.class).stream()
                    .filter(a -> a.clusterId().equals(cluster.clusterId()))
                    .map(NodeActive::nodeName).collect(Collectors.toSet());
            if (active.containsAll(expected) && plannerKnows(cluster.clusterId())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                expected.removeAll(active);
                throw new IllegalStateException("health did not report " + expected + " of " + cluster.clusterId()
                        + " active within " + timeout + "; see " + services.service("health-service").log());
            }
            Thread.sleep(100);
        }
    }

    /** Whether the planner's REST API knows the cluster ({@code GET /api/v1/clusters/{id}} answers 200). */
    private boolean plannerKnows(String clusterId) throws InterruptedException {
        URI uri = URI.create(services.service("planner-service").baseUrl() + "/api/v1/clusters/" + clusterId);
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // the planner is not up (yet, or again): ask again
        }
    }

    /** How many messages the audit service has stored, from its REST API ({@code GET /api/v1/audit/events/count}). */
    public long auditedCount() throws IOException, InterruptedException {
        URI uri = URI.create(services.service("audit-service").baseUrl() + "/api/v1/audit/events/count");
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return BatonJson.mapper().readTree(response.body()).path("count").asLong(-1);
    }

    /**
     * What a JVM shutdown hook may do: stop the service processes and the fleet. Kafka's and PostgreSQL's
     * own hooks run at the same time, so nothing here waits on Kafka (a producer's close would wait forever).
     */
    public void stopForShutdown() {
        stopServicesTogether();
        fleet.close();
        eventLog.close();
    }

    /** SIGTERM to all four services at once, so stopping takes one grace period rather than four. */
    public void stopServicesTogether() {
        List<Thread> stoppers = services.all().stream()
                .map(service -> new Thread(service::close, "stop-" + service.module())).toList();
        stoppers.forEach(Thread::start);
        for (Thread stopper : stoppers) {
            try {
                stopper.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public SandboxKafka kafka() {
        return kafka;
    }

    public SandboxPostgres postgres() {
        return postgres;
    }

    public SimulatedFleet fleet() {
        return fleet;
    }

    public BatonServices services() {
        return services;
    }

    public FleetManagement fleetManagement() {
        return fleetManagement;
    }

    public EventLog eventLog() {
        return eventLog;
    }

    @Override
    public void close() {
        eventLog.close();
        fleetManagement.close();
        services.close();
        fleet.close();
    }
}
