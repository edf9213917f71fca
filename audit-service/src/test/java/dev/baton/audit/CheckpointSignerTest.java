package dev.baton.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Loading the Ed25519 checkpoint key from PEM, signing and verifying. */
class CheckpointSignerTest {

    private static String pem(KeyPair pair) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void aPemPrivateKeyGivesBackItsOwnPublicKey() {
        KeyPair original = CheckpointSigner.developmentKey();
        KeyPair loaded = CheckpointSigner.fromPem(pem(original));
        assertThat(loaded.getPublic().getEncoded()).isEqualTo(original.getPublic().getEncoded());
        assertThat(CheckpointSigner.keyId(loaded.getPublic())).hasSize(16).isEqualTo(CheckpointSigner.keyId(original.getPublic()));
    }

    @Test
    void aSignatureVerifiesOnlyForTheSignedTextAndKey() {
        CheckpointSigner signer = new CheckpointSigner(CheckpointSigner.developmentKey());
        byte[] signature = signer.sign("{\"heads\":[]}");
        var key = signer.trustedKey(signer.keyId()).orElseThrow();
        assertThat(CheckpointSigner.verify(key, "{\"heads\":[]}", signature)).isTrue();
        assertThat(CheckpointSigner.verify(key, "{\"heads\":[1]}", signature)).isFalse();
        CheckpointSigner other = new CheckpointSigner(CheckpointSigner.developmentKey());
        assertThat(CheckpointSigner.verify(other.trustedKey(other.keyId()).orElseThrow(), "{\"heads\":[]}", signature)).isFalse();
        assertThat(CheckpointSigner.publicKey(signer.publicKeyBase64()).getEncoded()).isEqualTo(key.getEncoded());
    }

    @Test
    void aFileWithoutAPrivateKeySaysHowToMakeOne() {
        assertThatThrownBy(() -> CheckpointSigner.fromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .hasMessageContaining("openssl genpkey -algorithm ed25519");
    }
}
