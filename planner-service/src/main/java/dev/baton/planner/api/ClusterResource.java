package dev.baton.planner.api;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.procedure.ProcedureCatalog;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers cluster inventories: a valid {@code ClusterRegistered} is published on {@code baton.clusters.v1}
 * (the same path fleet management uses), where the planner and the health service pick it up.
 */
@Path("/api/v1/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ClusterResource {
    private final RolloutCoordinator coordinator;
    private final EventPublisher publisher;

    public ClusterResource(RolloutCoordinator coordinator, EventPublisher publisher) {
        this.coordinator = coordinator;
        this.publisher = publisher;
    }

    @POST
    public Response register(String json, @QueryParam("requestedBy") String requestedBy) {
        ApiErrors.Parsed<ClusterRegistered> parsed = ApiErrors.parse(json, ClusterRegistered.class);
        if (parsed.error() != null) {
            return parsed.error();
        }
        ClusterRegistered cluster = parsed.value();
        Response invalid = validate(cluster, coordinator.procedures());
        if (invalid != null) {
            return invalid;
        }
        String actor = requestedBy == null || requestedBy.isBlank() ? "rest" : requestedBy;
        publisher.publish(cluster, actor, null);
        return Response.accepted(Map.of("clusterId", cluster.clusterId(), "nodes", cluster.nodes().size())).build();
    }

    @GET
    public List<ClusterRegistered> list() {
        return coordinator.read(engine -> engine.clusters());
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return coordinator.read(engine -> engine.cluster(id)).map(c -> Response.ok(c).build())
                .orElseGet(() -> ApiErrors.error(404, "no cluster with id " + id + " is registered", "id"));
    }

    static Response validate(ClusterRegistered cluster, ProcedureCatalog procedures) {
        if (blank(cluster.clusterId())) {
            return ApiErrors.error(400, "clusterId is required", "clusterId");
        }
        if (blank(cluster.procedure())) {
            return ApiErrors.error(400, "procedure is required (e.g. matrix-server)", "procedure");
        }
        if (procedures.get(cluster.procedure()).isEmpty()) {
            return ApiErrors.error(422, "unknown procedure '" + cluster.procedure() + "' (known: "
                    + procedures.all().stream().map(p -> p.name()).sorted().collect(java.util.stream.Collectors.joining(", ")) + ")", "procedure");
        }
        if (cluster.nodes().isEmpty()) {
            return ApiErrors.error(400, "nodes must list at least one node", "nodes");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            ClusterRegistered.Node node = cluster.nodes().get(i);
            String at = "nodes[" + i + "]";
            if (blank(node.name())) {
                return ApiErrors.error(400, at + ".name is required", at + ".name");
            }
            if (!names.add(node.name())) {
                return ApiErrors.error(400, "node name '" + node.name() + "' appears twice", at + ".name");
            }
            if (blank(node.sshHost())) {
                return ApiErrors.error(400, at + ".sshHost is required", at + ".sshHost");
            }
            if (node.sshPort() < 1 || node.sshPort() > 65535) {
                return ApiErrors.error(400, at + ".sshPort must be 1-65535, got " + node.sshPort(), at + ".sshPort");
            }
            if (blank(node.sshUser())) {
                return ApiErrors.error(400, at + ".sshUser is required", at + ".sshUser");
            }
        }
        return null;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
