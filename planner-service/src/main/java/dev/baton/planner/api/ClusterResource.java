package dev.baton.planner.api;

import dev.baton.contracts.ClusterRegistered;
import dev.baton.messaging.EventPublisher;
import dev.baton.planner.messaging.RolloutCoordinator;
import dev.baton.procedure.Procedure;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Registers cluster inventories: a valid {@code ClusterRegistered} is published on {@code baton.clusters.v1}
 * (the same path fleet management uses), where the planner and the health service pick it up.
 */
@Path("/api/v1/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ClusterResource {
    private static final String PORT = "the TCP port of the node's SSH server, from 1 to 65535 (22 is SSH's own)";

    private final RolloutCoordinator coordinator;
    private final EventPublisher publisher;

    public ClusterResource(RolloutCoordinator coordinator, EventPublisher publisher) {
        this.coordinator = coordinator;
        this.publisher = publisher;
    }

    /**
     * Publishes a ClusterRegistered once every field is of the JSON type the schema gives it and makes sense: a 400
     * names the first field that does not (e.g. {@code nodes[2].sshPort}), a 422 an unknown procedure.
     */
    @POST
    public Response register(String json, @QueryParam("requestedBy") String requestedBy) {
        ClusterRegistered cluster;
        String actor;
        try {
            cluster = checked(json, coordinator.procedures());
            ApiErrors.requireOnTheWire(cluster);
            actor = ApiErrors.actor(requestedBy);
        } catch (InvalidField e) {
            return e.response();
        }
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

    /**
     * The registration as it will be published. What the published schema accepts is accepted, except ids and names
     * over {@link JsonBody#MAX_NAME_LENGTH} characters; one field the schema requires may be left out:
     * {@code clusterAddress} (an inventory imported from Ansible often has none; ordering then uses the address the
     * cluster's membership reports, or the inventory order).
     */
    static ClusterRegistered checked(String json, ProcedureCatalog procedures) {
        JsonBody body = JsonBody.read(json, "a ClusterRegistered");
        String clusterId = body.requiredName("clusterId", "the cluster's id, like matrix-prod");
        String product = body.requiredName("product", "the product the cluster runs, like matrix-server");
        String known = procedures.all().stream().map(Procedure::name).sorted().collect(Collectors.joining(", "));
        String procedure = body.requiredName("procedure", "the name of the procedure that upgrades it (known: " + known + ")");
        if (procedures.get(procedure).isEmpty()) {
            throw new InvalidField(422, "procedure", "unknown procedure '" + procedure + "' (known: " + known + ")");
        }
        String executorPool = body.optionalName("executorPool", "which executors can reach the nodes (leave it out for any)");
        List<JsonBody> items = body.requiredObjects("nodes", "the cluster's nodes, each an object with name, sshHost,"
                + " sshPort and sshUser");
        Map<String, Integer> names = new HashMap<>();
        List<ClusterRegistered.Node> nodes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonBody node = items.get(i);
            String name = node.requiredName("name", "the node's name, unique within the cluster, like srv1");
            Integer first = names.putIfAbsent(name, i);
            if (first != null) {
                throw new InvalidField(node.path("name"), node.path("name") + " '" + name + "' is also the name of nodes["
                        + first + "]: node names must be unique within a cluster");
            }
            String sshHost = node.requiredName("sshHost", "the host name or address Baton reaches the node at over SSH");
            int sshPort = node.requiredWholeNumber("sshPort", PORT);
            if (sshPort < 1 || sshPort > 65535) {
                throw new InvalidField(node.path("sshPort"), node.path("sshPort") + " must be " + PORT);
            }
            String sshUser = node.requiredName("sshUser", "the user Baton logs in as, like root");
            String clusterAddress = node.optionalName("clusterAddress", "the address the cluster itself knows the node by,"
                    + " like 10.10.1.3");
            List<String> addresses = node.names("addresses", "every network address of the node, like [\"10.10.1.3\"]");
            String arch = node.optionalName("arch", "the CPU architecture, like x86_64");
            String os = node.optionalName("os", "the operating system and release, like rhel-8.10");
            Map<String, String> labels = node.textMap("labels", "free-form labels with string values, like {\"rack\": \"r2\"}");
            nodes.add(new ClusterRegistered.Node(name, sshHost, sshPort, sshUser, clusterAddress, addresses, arch, os, labels));
        }
        ClusterRegistered.Hooks hooks = body.optionalObject("hooks", "the cluster's commands around each node's upgrade:"
                + " {\"beforeDisruption\": {...}, \"afterActive\": {...}}").map(h -> new ClusterRegistered.Hooks(
                hook(h, "beforeDisruption", "runs before a node's first disruptive step"),
                hook(h, "afterActive", "runs once the node is active on the target"))).orElse(null);
        return new ClusterRegistered(clusterId, product, procedure, executorPool, nodes, hooks);
    }

    private static ClusterRegistered.Hook hook(JsonBody hooks, String name, String when) {
        return hooks.optionalObject(name, "a hook that " + when + ": {\"command\": ..., \"timeout\": \"PT5M\","
                + " \"onFailure\": \"halt\" | \"continue\"}").map(hook -> {
                    String command = hook.requiredText("command", "the command line run on the node, like"
                            + " \"systemctl stop app\"");
                    java.time.Duration timeout = hook.optionalDuration("timeout", "an ISO 8601 duration, like PT5M");
                    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                        throw new InvalidField(hook.path("timeout"), hook.path("timeout") + " must be positive");
                    }
                    String onFailure = hook.optionalText("onFailure", "halt or continue");
                    if (onFailure != null && !onFailure.equals("halt") && !onFailure.equals("continue")) {
                        throw new InvalidField(hook.path("onFailure"), hook.path("onFailure") + " must be halt or continue,"
                                + " not '" + onFailure + "'");
                    }
                    return new ClusterRegistered.Hook(command, timeout, onFailure);
                }).orElse(null);
    }
}
