package dev.baton.audit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.jboss.resteasy.reactive.RestResponse;

/** Tamper evidence over HTTP: verify the hash chains, list and write signed checkpoints. Reads PostgreSQL only. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class VerifyResource {
    private final Verification verification;
    private final Checkpoints checkpoints;
    private final CheckpointSigner signer;

    public VerifyResource(Verification verification, Checkpoints checkpoints, CheckpointSigner signer) {
        this.verification = verification;
        this.checkpoints = checkpoints;
        this.signer = signer;
    }

    /**
     * Recomputes every hash chain (or only the chain of {@code clusterId}, or the chain named by {@code chain},
     * e.g. {@code ~baton.deadletter.v1}) and checks the signed checkpoints; names the first broken record.
     */
    @GET
    @Path("verify")
    public ChainVerifier.VerifyReport verify(@QueryParam("clusterId") String clusterId, @QueryParam("chain") String chain) {
        String only = clusterId != null && !clusterId.isBlank() ? clusterId.trim()
                : chain != null && !chain.isBlank() ? chain.trim() : null;
        return verification.verify(only);
    }

    /** Every checkpoint, oldest first, with the signed body. */
    @GET
    @Path("checkpoints")
    public List<CheckpointView> list() {
        return checkpoints.all().stream().map(CheckpointView::of).toList();
    }

    /** Signs the current heads now (201), or 204 when no chain moved since the last checkpoint. */
    @POST
    @Path("checkpoints")
    public RestResponse<CheckpointView> checkpointNow() {
        Checkpoints.StoredCheckpoint written = checkpoints.write();
        return written == null ? RestResponse.noContent()
                : RestResponse.status(RestResponse.Status.CREATED, CheckpointView.of(written));
    }

    /** The public key checkpoints are signed with now, to keep outside the database. */
    @GET
    @Path("checkpoints/key")
    public SigningKey key() {
        return new SigningKey("Ed25519", signer.keyId(), signer.publicKeyBase64());
    }

    /** A checkpoint as the API shows it; {@code body} is the exact signed text. */
    public record CheckpointView(long id, String kind, Instant createdAt, String keyId, String publicKey,
                                 String signatureBase64, String body) {
        static CheckpointView of(Checkpoints.StoredCheckpoint c) {
            return new CheckpointView(c.id(), c.kind(), c.createdAt(), c.keyId(), c.publicKey(),
                    java.util.Base64.getEncoder().encodeToString(c.signature()), c.body());
        }
    }

    /** The current signing key. */
    public record SigningKey(String algorithm, String keyId, String publicKey) {
    }
}
