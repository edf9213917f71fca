package dev.baton.health;

import dev.baton.health.cluster.ClusterView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** REST view of what the health service currently sees (built from {@code baton.clusters.v1} and its own probes). */
@Path("/api/v1/health/clusters")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    private final HealthMonitor monitor;

    public HealthResource(HealthMonitor monitor) {
        this.monitor = monitor;
    }

    /** Every registered cluster. */
    @GET
    public List<ClusterView> clusters() {
        return monitor.views();
    }

    /** One cluster: its nodes with state, running version, boot id and since; 404 if it is not registered. */
    @GET
    @Path("/{clusterId}")
    public Response cluster(@PathParam("clusterId") String clusterId) {
        return monitor.view(clusterId)
                .map(view -> Response.ok(view).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND)
                        .type(MediaType.APPLICATION_JSON)
                        .entity(new ApiError("unknown-cluster", "no cluster '" + clusterId
                                + "' is registered; publish its ClusterRegistered on baton.clusters.v1 first"))
                        .build());
    }
}
