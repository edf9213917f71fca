package dev.baton.planner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.planner.rollout.RolloutView;
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
import java.util.UUID;
import java.util.stream.Collectors;

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

    public RolloutResource(RolloutCoordinator coordinator, EventPublisher publisher) {
        this.coordinator = coordinator;
        this.publisher = publisher;
    }

    /** Publishes an UpgradeRequested; the answer names the requestId to look the rollout up by. */
    @POST
    public Response request(String json) {
        UpgradeRequested body;
        try {
            body = json == null || json.isBlank() ? null : BatonJson.mapper().readValue(json, UpgradeRequested.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return field.isEmpty() ? error(400, "the body is not an UpgradeRequested JSON object: " + e.getOriginalMessage(), "body")
                    : error(400, "invalid value for " + field + ": " + e.getOriginalMessage(), field);
        } catch (JsonProcessingException e) {
            return error(400, "the body is not valid JSON: " + e.getOriginalMessage(), "body");
        }
        if (body == null) {
            return error(400, "the body must be an UpgradeRequested JSON object", "body");
        }
        if (body.clusterId() == null || body.clusterId().isBlank()) {
            return error(400, "clusterId is required", "clusterId");
        }
        if (body.targetVersion() == null || body.targetVersion().isBlank()) {
            return error(400, "targetVersion is required", "targetVersion");
        }
        if (body.maxUnavailable() != null && body.maxUnavailable() < 1) {
            return error(400, "maxUnavailable must be at least 1", "maxUnavailable");
        }
        String requestId = body.requestId() == null ? UUID.randomUUID().toString() : body.requestId();
        String requestedBy = body.requestedBy() == null ? "rest" : body.requestedBy();
        UpgradeRequested request = new UpgradeRequested(requestId, body.clusterId(), body.targetVersion(),
                body.maxUnavailable(), body.canary(), body.stopAfter(), body.delayBetweenNodes(), body.force(),
                body.allowOffline(), body.exclude(), body.dryRun(), requestedBy);
        publisher.publish(request, requestedBy, null);
        return Response.accepted(Map.of("requestId", requestId, "clusterId", request.clusterId())).build();
    }

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return coordinator.read(engine -> engine.rollout(id))
                .map(view -> Response.ok(view).build())
                .orElseGet(() -> error(404, "no rollout with id " + id, "id"));
    }

    @GET
    public List<RolloutView> list(@QueryParam("clusterId") String clusterId) {
        return coordinator.read(engine -> engine.rollouts(clusterId));
    }

    static Response error(int status, String message, String field) {
        return Response.status(status).entity(Map.of("error", message, "field", field)).type(MediaType.APPLICATION_JSON)
                .build();
    }
}
