package dev.baton.planner.api;

import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.planner.rollout.RolloutView;
import dev.baton.planner.state.RolloutViews;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * REST face of the planner. Writes go through {@code baton.requests.v1} (the same path fleet
 * management uses); reads come from the engine's view.
 */
@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RolloutResource {
    private final RolloutCoordinator coordinator;
    private final EventPublisher publisher;
    private final RolloutViews views;

    public RolloutResource(RolloutCoordinator coordinator, EventPublisher publisher, RolloutViews views) {
        this.coordinator = coordinator;
        this.publisher = publisher;
        this.views = views;
    }

    /** Publishes an UpgradeRequested; the answer names the requestId to look the rollout up by. */
    @POST
    public Response request(String json) {
        ApiErrors.Parsed<UpgradeRequested> parsed = ApiErrors.parse(json, UpgradeRequested.class);
        if (parsed.error() != null) {
            return parsed.error();
        }
        UpgradeRequested body = parsed.value();
        if (body.clusterId() == null || body.clusterId().isBlank()) {
            return error(400, "clusterId is required", "clusterId");
        }
        if (body.targetVersion() == null || body.targetVersion().isBlank()) {
            return error(400, "targetVersion is required", "targetVersion");
        }
        if (body.maxUnavailable() != null && body.maxUnavailable() < 1) {
            return error(400, "maxUnavailable must be at least 1", "maxUnavailable");
        }
        if (body.maxUnavailablePercent() != null && (body.maxUnavailablePercent() < 1 || body.maxUnavailablePercent() > 100)) {
            return error(400, "maxUnavailablePercent must be between 1 and 100", "maxUnavailablePercent");
        }
        if (body.canary() != null && body.canary() < 0) {
            return error(400, "canary must not be negative", "canary");
        }
        if (body.stopAfter() != null && body.stopAfter() < 0) {
            return error(400, "stopAfter must not be negative", "stopAfter");
        }
        String requestId = body.requestId() == null ? UUID.randomUUID().toString() : body.requestId();
        String requestedBy = body.requestedBy() == null ? "rest" : body.requestedBy();
        UpgradeRequested request = new UpgradeRequested(requestId, body.clusterId(), body.targetVersion(),
                body.maxUnavailable(), body.canary(), body.stopAfter(), body.delayBetweenNodes(), body.force(),
                body.allowOffline(), body.exclude(), body.dryRun(), requestedBy, body.maxUnavailablePercent(),
                body.maintenanceWindow());
        publisher.publish(request, requestedBy, null);
        return Response.accepted(Map.of("requestId", requestId, "clusterId", request.clusterId())).build();
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return find(id).map(view -> Response.ok(view).build())
                .orElseGet(() -> error(404, "no rollout with id " + id, "id"));
    }

    @GET
    public List<RolloutView> list(@QueryParam("clusterId") String clusterId, @QueryParam("requestId") String requestId) {
        Map<String, RolloutView> merged = new java.util.LinkedHashMap<>();
        views.all().stream().filter(v -> clusterId == null || clusterId.equals(v.clusterId()))
                .filter(v -> requestId == null || requestId.equals(v.requestId()))
                .forEach(v -> merged.put(v.rolloutId(), v));
        coordinator.read(engine -> engine.rollouts(clusterId, requestId)).forEach(v -> merged.put(v.rolloutId(), v));
        return merged.values().stream().sorted(java.util.Comparator.comparing(RolloutView::requestedAt)).toList();
    }

    /** The owning instance's engine knows best; other instances' rollouts come from the state topic. */
    private Optional<RolloutView> find(String id) {
        return coordinator.read(engine -> engine.rollout(id)).or(() -> views.rollout(id));
    }

    /** Pauses a running rollout: nodes in flight finish, no new node starts. */
    @POST
    @Path("/{id}/pause")
    @Consumes(MediaType.WILDCARD)
    public Response pause(@PathParam("id") String id, @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.PAUSE, null, requestedBy);
    }

    /** Resumes a paused or halted rollout. */
    @POST
    @Path("/{id}/resume")
    @Consumes(MediaType.WILDCARD)
    public Response resume(@PathParam("id") String id, @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.RESUME, null, requestedBy);
    }

    /** Aborts a rollout: nothing more is sent for its cluster. */
    @POST
    @Path("/{id}/abort")
    @Consumes(MediaType.WILDCARD)
    public Response abort(@PathParam("id") String id, @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.ABORT, null, requestedBy);
    }

    /** Frees a failed node's unavailability budget by hand (the operator vouches for the node). */
    @POST
    @Path("/{id}/nodes/{node}/release")
    @Consumes(MediaType.WILDCARD)
    public Response release(@PathParam("id") String id, @PathParam("node") String node,
                            @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.RELEASE, node, requestedBy);
    }

    private Response control(String id, RolloutControl.Action action, String node, String requestedBy) {
        Optional<RolloutView> rollout = find(id);
        if (rollout.isEmpty()) {
            return error(404, "no rollout with id " + id, "id");
        }
        if (node != null && rollout.get().nodes().stream().noneMatch(n -> n.nodeName().equals(node))) {
            return error(404, "rollout " + id + " has no node " + node, "node");
        }
        String actor = requestedBy == null || requestedBy.isBlank() ? "rest" : requestedBy;
        publisher.publish(new RolloutControl(id, rollout.get().clusterId(), action, node, actor), actor, null);
        return Response.accepted(Map.of("rolloutId", id, "action", action.name().toLowerCase(java.util.Locale.ROOT)))
                .build();
    }

    private static Response error(int status, String message, String field) {
        return ApiErrors.error(status, message, field);
    }
}
