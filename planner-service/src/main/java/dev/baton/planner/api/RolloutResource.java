package dev.baton.planner.api;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.contracts.RolloutControl;
import dev.baton.contracts.UpgradeRequested;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.planner.plan.UpgradeRequestRules;
import dev.baton.planner.rollout.NodeState;
import dev.baton.planner.rollout.Rollback;
import dev.baton.planner.rollout.RolloutView;
import dev.baton.planner.state.RolloutViews;
import dev.baton.procedure.Versions;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

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

    /**
     * Publishes an UpgradeRequested; the answer names the requestId to look the rollout up by. A request that is
     * wrong in itself is answered 400 naming the field and nothing is published ({@link #checked}); what depends on
     * the cluster's state when the owning planner decides (an unknown cluster, an open rollout, the running versions)
     * is answered later with RolloutRejected.
     */
    @POST
    public Response request(String json) {
        UpgradeRequested request;
        try {
            request = checked(json);
        } catch (InvalidField e) {
            return e.response();
        }
        publisher.publish(request, request.requestedBy(), null);
        return Response.accepted(Map.of("requestId", request.requestId(), "clusterId", request.clusterId())).build();
    }

    /**
     * The request as it will be published: each field of the JSON type the schema gives it, ids and names of at most
     * {@link JsonBody#MAX_NAME_LENGTH} characters, then the engine's own rules ({@link UpgradeRequestRules}), with
     * the cluster's node names once this planner has read the inventory.
     */
    private UpgradeRequested checked(String json) {
        JsonBody body = JsonBody.read(json, "an UpgradeRequested");
        String requestId = body.optionalName("requestId", "your id for this request, like a UUID (leave it out and the"
                + " planner assigns one)");
        String clusterId = body.requiredName("clusterId", "the id of a registered cluster, like matrix-prod");
        String targetVersion = body.requiredName("targetVersion", "the version every node should run, " + Versions.FORMAT);
        Integer maxUnavailable = body.optionalWholeNumber("maxUnavailable", "how many nodes may be out of service at"
                + " once, at least 1");
        Integer canary = body.optionalWholeNumber("canary", "how many nodes to upgrade before pausing, 0 or more");
        Integer stopAfter = body.optionalWholeNumber("stopAfter", "after how many nodes to pause, 0 or more");
        Duration delay = body.optionalDuration("delayBetweenNodes", "how long to wait between nodes");
        boolean force = body.flag("force", "whether a target that is not newer than the running version is allowed");
        boolean allowOffline = body.flag("allowOffline", "whether a complete offline update may be planned");
        boolean allowUnknown = body.flag("allowUnknownCompatibility", "whether a target the procedure's compatibility"
                + " table has no row for may be rolled to");
        List<String> exclude = body.names("exclude", "the names of nodes to leave out, like [\"srv2\"]");
        boolean dryRun = body.flag("dryRun", "whether only to plan, touching no node");
        String requestedBy = body.optionalName("requestedBy", "who asks, like alice@ops");
        Integer percent = body.optionalWholeNumber("maxUnavailablePercent", "the share of the planned nodes that may be"
                + " out of service at once, 1 to 100");
        UpgradeRequested.MaintenanceWindow window = body.optionalObject("maintenanceWindow", "{\"start\": \"22:00\","
                + " \"end\": \"04:00\", \"days\": [\"SAT\"], \"zone\": \"Europe/Berlin\"}").map(w -> {
                    List<String> days = w.texts("days", "days of the week: " + UpgradeRequestRules.DAYS);
                    String start = w.requiredText("start", "the local time the window opens, like 22:00 (HH:MM)");
                    String end = w.requiredText("end", "the local time the window closes, like 04:00 (HH:MM)");
                    String zone = w.optionalText("zone", "an IANA time zone like UTC or Europe/Berlin");
                    return new UpgradeRequested.MaintenanceWindow(days, start, end, zone);
                }).orElse(null);
        UpgradeRequested request = new UpgradeRequested(requestId == null ? UUID.randomUUID().toString() : requestId,
                clusterId, targetVersion, maxUnavailable, canary, stopAfter, delay, force, allowOffline, exclude, dryRun,
                requestedBy == null ? "rest" : requestedBy, percent, window, allowUnknown);
        refuse(UpgradeRequestRules.targetVersion(targetVersion));
        // the inventory as far as this planner has read it; until it has caught up, exclude is checked by the engine
        ClusterRegistered cluster = coordinator.isReady() ? coordinator.read(engine -> engine.cluster(clusterId)).orElse(null)
                : null;
        refuse(UpgradeRequestRules.check(request, cluster));
        UpgradeRequested wire = onTheWire(request);
        ApiErrors.requireOnTheWire(wire);
        return wire;
    }

    /**
     * The request in the wire form its schema gives it (what the engine reads the same): canary and stopAfter 0 are
     * left out (no pause), window days in capitals, window times as HH:MM.
     */
    private static UpgradeRequested onTheWire(UpgradeRequested r) {
        UpgradeRequested.MaintenanceWindow w = r.maintenanceWindow();
        UpgradeRequested.MaintenanceWindow window = w == null ? null : new UpgradeRequested.MaintenanceWindow(
                w.days().stream().map(d -> d.toUpperCase(Locale.ROOT)).toList(), hhmm(w.start()), hhmm(w.end()),
                w.zone());
        return new UpgradeRequested(r.requestId(), r.clusterId(), r.targetVersion(), r.maxUnavailable(),
                r.canary() != null && r.canary() == 0 ? null : r.canary(),
                r.stopAfter() != null && r.stopAfter() == 0 ? null : r.stopAfter(), r.delayBetweenNodes(), r.force(),
                r.allowOffline(), r.exclude(), r.dryRun(), r.requestedBy(), r.maxUnavailablePercent(), window,
                r.allowUnknownCompatibility());
    }

    private static String hhmm(String time) {
        return time == null ? null : LocalTime.parse(time).format(HH_MM);
    }

    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private static void refuse(Optional<UpgradeRequestRules.Violation> violation) {
        violation.ifPresent(v -> {
            throw new InvalidField(v.field(), v.message());
        });
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
        return control(id, RolloutControl.Action.PAUSE, null, requestedBy, null);
    }

    /** Resumes a paused or halted rollout. */
    @POST
    @Path("/{id}/resume")
    @Consumes(MediaType.WILDCARD)
    public Response resume(@PathParam("id") String id, @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.RESUME, null, requestedBy, null);
    }

    /** Aborts a rollout: nothing more is sent for its cluster. */
    @POST
    @Path("/{id}/abort")
    @Consumes(MediaType.WILDCARD)
    public Response abort(@PathParam("id") String id, @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.ABORT, null, requestedBy, null);
    }

    /** Frees a failed node's unavailability budget by hand (the operator vouches for the node). */
    @POST
    @Path("/{id}/nodes/{node}/release")
    @Consumes(MediaType.WILDCARD)
    public Response release(@PathParam("id") String id, @PathParam("node") String node,
                            @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.RELEASE, node, requestedBy, null);
    }

    /**
     * Runs a failed node again as a new attempt: from the step it failed in, or from its first step with
     * {@code fromStart=true}. A halted rollout goes on once none of its nodes is failed any more. 409 when the node
     * is not failed.
     */
    @POST
    @Path("/{id}/nodes/{node}/retry")
    @Consumes(MediaType.WILDCARD)
    public Response retry(@PathParam("id") String id, @PathParam("node") String node,
                          @QueryParam("fromStart") String fromStart, @QueryParam("requestedBy") String requestedBy) {
        if (fromStart != null && !fromStart.equals("true") && !fromStart.equals("false")) {
            return error(400, "fromStart must be true or false, not '" + shortened(fromStart) + "'", "fromStart");
        }
        return control(id, RolloutControl.Action.RETRY, node, requestedBy, "true".equals(fromStart) ? Boolean.TRUE : null);
    }

    /**
     * Leaves a node out: one not started yet, or a failed one. The rollout can then complete without it, listing it as
     * skipped. 409 when the node is being upgraded or is done.
     */
    @POST
    @Path("/{id}/nodes/{node}/skip")
    @Consumes(MediaType.WILDCARD)
    public Response skip(@PathParam("id") String id, @PathParam("node") String node,
                         @QueryParam("requestedBy") String requestedBy) {
        return control(id, RolloutControl.Action.SKIP, node, requestedBy, null);
    }

    /**
     * Rolls a finished rollout back: publishes a {@code RolloutControl} rollback, which the planner decides as a new
     * rollout taking the nodes this one upgraded back to their from-versions ({@link Rollback}), a dry run with
     * {@code dryRun=true}. The answer names the new rollout's requestId. 404 for an unknown rollout, 409 naming why
     * when it cannot be rolled back (not finished, nothing upgraded, from-versions unknown or mixed).
     */
    @POST
    @Path("/{id}/rollback")
    @Consumes(MediaType.WILDCARD)
    public Response rollback(@PathParam("id") String id, @QueryParam("dryRun") String dryRun,
                             @QueryParam("requestedBy") String requestedBy) {
        if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
            return error(400, "dryRun must be true or false, not '" + shortened(dryRun) + "'", "dryRun");
        }
        Addressed addressed = addressed(id, requestedBy);
        if (addressed.refusal() != null) {
            return addressed.refusal();
        }
        String actor = addressed.actor();
        Optional<RolloutView> rollout = Optional.of(addressed.rollout());
        // what health says each node runs now is checked by the planner that owns the cluster (RolloutRejected)
        if (Rollback.decide(rollout.get(), node -> Optional.empty()) instanceof Rollback.Refused refused) {
            return error(409, refused.message(), "id");
        }
        boolean plan = "true".equals(dryRun);
        // a request id of its own: asked again (after a rejection, or a second dry run) it is decided again
        String requestId = Rollback.requestId(id, plan) + "-" + UUID.randomUUID().toString().substring(0, 8);
        publisher.publish(RolloutControl.rollback(id, rollout.get().clusterId(), actor, plan, requestId), actor, null);
        return Response.accepted(Map.of("rolloutId", id, "action", "rollback", "requestId", requestId,
                "clusterId", rollout.get().clusterId(), "dryRun", plan)).build();
    }

    /** Any other action on a rollout: a 400 naming {@code action} and the accepted ones. */
    @POST
    @Path("/{id}/{action}")
    @Consumes(MediaType.WILDCARD)
    @Operation(hidden = true) // not an endpoint: the answer to a mistyped one
    public Response unknownAction(@PathParam("id") String id, @PathParam("action") String action) {
        return error(400, "unknown action '" + shortened(action) + "': the accepted actions are pause, resume, abort and rollback"
                + " (POST /api/v1/rollouts/{id}/pause) and, on a node, release, retry and skip"
                + " (POST /api/v1/rollouts/{id}/nodes/{node}/retry)", "action");
    }

    /** Any other action on a node of a rollout: a 400 naming {@code action} and the accepted ones. */
    @POST
    @Path("/{id}/nodes/{node}/{action}")
    @Consumes(MediaType.WILDCARD)
    @Operation(hidden = true) // not an endpoint: the answer to a mistyped one
    public Response unknownNodeAction(@PathParam("id") String id, @PathParam("node") String node,
                                      @PathParam("action") String action) {
        return error(400, "unknown node action '" + shortened(action) + "': the accepted actions are release, retry"
                + " and skip (POST /api/v1/rollouts/{id}/nodes/{node}/retry)", "action");
    }

    private static String shortened(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private Response control(String id, RolloutControl.Action action, String node, String requestedBy,
                             Boolean fromStart) {
        Addressed addressed = addressed(id, requestedBy);
        if (addressed.refusal() != null) {
            return addressed.refusal();
        }
        String actor = addressed.actor();
        Optional<RolloutView> rollout = Optional.of(addressed.rollout());
        Optional<RolloutView.NodeView> target = rollout.get().nodes().stream().filter(n -> n.nodeName().equals(node))
                .findFirst();
        if (node != null && target.isEmpty()) {
            return error(404, "rollout " + id + " has no node " + node, "node");
        }
        if (action == RolloutControl.Action.RETRY && target.get().state() != NodeState.FAILED) {
            return error(409, "node " + node + " is " + target.get().state() + ", not FAILED: only a failed node can be"
                    + " retried", "node");
        }
        if (action == RolloutControl.Action.SKIP && target.get().state() != NodeState.FAILED
                && target.get().state() != NodeState.PENDING && target.get().state() != NodeState.DEFERRED) {
            return error(409, "node " + node + " is " + target.get().state() + ": only a node not started yet or a failed"
                    + " one can be skipped", "node");
        }
        if (action.perNode() && !rollout.get().state().isOpen()) {
            return error(409, "rollout " + id + " is " + rollout.get().state() + ": nothing more can be done on it", "id");
        }
        publisher.publish(new RolloutControl(id, rollout.get().clusterId(), action, node, actor, fromStart), actor, null);
        return Response.accepted(Map.of("rolloutId", id, "action", action.name().toLowerCase(java.util.Locale.ROOT)))
                .build();
    }

    /** The rollout a control names and who asks, or the answer refusing it (400 for the actor, 404 for the rollout). */
    private record Addressed(RolloutView rollout, String actor, Response refusal) {
    }

    private Addressed addressed(String id, String requestedBy) {
        String actor;
        try {
            actor = ApiErrors.actor(requestedBy);
        } catch (InvalidField e) {
            return new Addressed(null, null, e.response());
        }
        return find(id).map(rollout -> new Addressed(rollout, actor, null))
                .orElseGet(() -> new Addressed(null, actor, error(404, "no rollout with id " + id, "id")));
    }

    private static Response error(int status, String message, String field) {
        return ApiErrors.error(status, message, field);
    }
}
