package dev.baton.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Signs checkpoints with Ed25519 and knows which public keys verification trusts. The private key comes from
 * {@code baton.audit.checkpoint.key-file}; it is never logged or stored. Without one, an ephemeral development
 * key is generated and the log says so.
 */
@ApplicationScoped
public class CheckpointSigner {
    private static final Logger LOG = Logger.getLogger(CheckpointSigner.class);
    private static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;
    private final Map<String, PublicKey> trusted = new HashMap<>();

    @Inject
    public CheckpointSigner(CheckpointConfig config) {
        KeyPair pair = config.keyFile().map(path -> {
            try {
                return fromPem(Files.readString(path));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the checkpoint key file " + path
                        + " (baton.audit.checkpoint.key-file): " + e.getMessage(), e);
            }
        }).orElseGet(CheckpointSigner::developmentKey);
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = keyId(publicKey);
        trusted.put(keyId, publicKey);
        for (String encoded : config.trustedPublicKeys().orElse(List.of())) {
            PublicKey key = publicKey(encoded.trim());
            trusted.put(keyId(key), key);
        }
        if (config.keyFile().isPresent()) {
            LOG.infof("signing checkpoints with Ed25519 key %s from %s", keyId, config.keyFile().get());
        } else {
            LOG.warnf("no checkpoint signing key configured (baton.audit.checkpoint.key-file): generated a DEVELOPMENT "
                    + "Ed25519 key %s for this run only; its checkpoints cannot be verified after a restart. Public key: %s",
                    keyId, publicKeyBase64());
        }
    }

    /** A signer with the given key pair (tests, benchmark). */
    CheckpointSigner(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = keyId(publicKey);
        trusted.put(keyId, publicKey);
    }

    public byte[] sign(String body) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(body.getBytes(StandardCharsets.UTF_8));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a checkpoint: " + e.getMessage(), e);
        }
    }

    /** The trusted key with this id, if any. */
    public Optional<PublicKey> trustedKey(String id) {
        return Optional.ofNullable(trusted.get(id));
    }

    public static boolean verify(PublicKey key, String body, byte[] signatureBytes) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(body.getBytes(StandardCharsets.UTF_8));
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The public key, X.509 DER in base64 (what {@code trusted-public-keys} takes). */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** First 16 hex digits of the SHA-256 of the public key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PublicKey publicKey(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (X.509, base64): " + e.getMessage(), e);
        }
    }

    static KeyPair developmentKey() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** Reads a PKCS#8 PEM private key and derives its public key. The key material is never logged. */
    static KeyPair fromPem(String pem) {
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the checkpoint key file holds no '-----BEGIN PRIVATE KEY-----' block "
                    + "(create one with: openssl genpkey -algorithm ed25519 -out checkpoint-key.pem)");
        }
        String base64 = pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end).replaceAll("\\s", "");
        try {
            PrivateKey key = KeyFactory.getInstance(ALGORITHM).generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow();
            // Ed25519's key generator turns 32 random bytes into the pair: given the seed, it derives the public key
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(255, new SeedRandom(seed));
            KeyPair pair = generator.generateKeyPair();
            byte[] derived = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
            if (!Arrays.equals(seed, derived)) {
                throw new IllegalStateException("could not derive the Ed25519 public key from the private key");
            }
            return new KeyPair(pair.getPublic(), key);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("the checkpoint key file does not hold an Ed25519 private key", e);
        }
    }

    /** Hands out the given bytes once: the private key for the key generator. */
    private static final class SeedRandom extends SecureRandom {
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
