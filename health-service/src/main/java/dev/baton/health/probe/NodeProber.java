package dev.baton.health.probe;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.health.node.ProbeObservation;
import dev.baton.procedure.HealthProbe;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The probe sequence of one node, as {@link ProbeReading} describes it: the status exec (with the boot id), the
 * separate running-version command if the procedure has one, then its TCP or HTTP check; and the reading of a
 * cluster's membership from the first node that answers. Every command starts with the probe prefix
 * ({@code true <tag>;} or nothing). Decides nothing and publishes nothing: the caller records the observation.
 */
public final class NodeProber {
    private static final Logger LOG = Logger.getLogger(NodeProber.class);

    private final NodeProbe probe;
    private final NetworkCheck networkCheck = new NetworkCheck();
    private final String prefix;
    private final Duration defaultTimeout;

    public NodeProber(NodeProbe probe, String prefix, Duration defaultTimeout) {
        this.probe = probe;
        this.prefix = prefix;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * What one probe of a node saw: the observation, and whether it holds the procedure's shared resource (null: none
     * declared, or not known).
     */
    public record Probed(ProbeObservation observation, Boolean holdsSharedResource) {
    }

    /**
     * What one probe of {@code node} with the procedure's {@code healthProbe} observed, with the shared resource (read
     * in the same first exec, {@link ProbeReading#command}).
     */
    public Probed probe(ClusterRegistered.Node node, HealthProbe healthProbe) {
        Duration timeout = timeout(healthProbe);
        ProbeAnswer first = probe.run(node.sshTarget(), prefix + ProbeReading.command(healthProbe), timeout);
        Boolean holds = ProbeReading.holdsShared(first, healthProbe);
        ProbeObservation observation = ProbeReading.read(ProbeReading.statusPart(first, healthProbe), healthProbe);
        if (observation.good() && ProbeReading.needsVersionCommand(healthProbe)) {
            observation = ProbeReading.withVersion(observation,
                    probe.run(node.sshTarget(), prefix + healthProbe.versionCommand(), timeout), healthProbe);
        }
        if (observation.good() && healthProbe.check() != null) {
            observation = ProbeReading.withCheck(observation,
                    networkCheck.problem(healthProbe.check(), node.sshHost(), timeout));
        }
        return new Probed(observation, holds);
    }

    /**
     * The member addresses the procedure's membership command reports, asked of {@code sources} in order (the first
     * that answers with exit 0 wins); empty when none did.
     */
    public Optional<List<String>> membership(String clusterId, List<ClusterRegistered.Node> sources, HealthProbe healthProbe) {
        for (ClusterRegistered.Node source : sources) {
            ProbeAnswer result = probe.run(source.sshTarget(), prefix + healthProbe.membershipCommand(),
                    timeout(healthProbe));
            if (result.kind() == ProbeAnswer.Kind.COMPLETED && result.exitCode() == 0) {
                return Optional.of(healthProbe.memberAddresses(result.output()));
            }
            LOG.debugf("membership of %s from %s not read: %s exit %d %s", clusterId, source.name(),
                    result.kind(), result.exitCode(), result.detail());
        }
        return Optional.empty();
    }

    /** The procedure's probe timeout, else the service's. */
    public Duration timeout(HealthProbe healthProbe) {
        return healthProbe.probeTimeout() != null ? healthProbe.probeTimeout() : defaultTimeout;
    }
}
