package dev.baton.sandbox.fleet;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;

/** Ed25519 key pairs for the simulated fleet and their OpenSSH file forms. Touches no topic. */
final class SshKeys {

    private SshKeys() {
    }

    static KeyPair generate() {
        try {
            return KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ed25519 key (is BouncyCastle on the classpath?): " + e.getMessage(), e);
        }
    }

    /** Writes the private key in OpenSSH format, unencrypted, readable by the owner only, and its .pub beside it. */
    static void writePrivateKey(KeyPair keyPair, Path file, String comment) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, (OpenSSHKeyEncryptionContext) null, out);
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
            Files.write(file, out.toByteArray());
            Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                    PublicKeyEntry.toString(keyPair.getPublic()) + " " + comment + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fleet's client key to " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the fleet's client key: " + e.getMessage(), e);
        }
    }
}
