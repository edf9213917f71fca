package dev.baton.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * Strict host-key verification against an OpenSSH known_hosts file (plain and hashed entries, {@code @cert-authority}
 * lines): a host that is not in the file, or presents another key, is refused, and nothing is ever added to the file.
 * The file is parsed once per version (modification time and size) and the verifier shared by every connection, so
 * a fleet of thousands of nodes does not re-parse thousands of lines for each new connection; an edited file takes
 * effect at the next connection, without a restart. Touches no topic.
 */
public final class KnownHostsFile {
    private static final Map<Path, Parsed> CACHE = new ConcurrentHashMap<>();

    private KnownHostsFile() {
    }

    /** The verifier for the file as it is now (parsed again only if it changed since the last call). */
    public static HostKeyVerifier verifier(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        BasicFileAttributes attributes = Files.readAttributes(key, BasicFileAttributes.class);
        Version version = new Version(attributes.lastModifiedTime().toMillis(), attributes.size(),
                attributes.fileKey());
        Parsed cached = CACHE.get(key);
        if (cached != null && cached.version().equals(version)) {
            return cached.verifier();
        }
        Parsed parsed = new Parsed(version, new Strict(key));
        CACHE.put(key, parsed);
        return parsed.verifier();
    }

    /** What tells one version of the file from another (the inode too: an editor may replace the file). */
    private record Version(long modifiedMillis, long size, Object fileKey) {
    }

    private record Parsed(Version version, HostKeyVerifier verifier) {
    }

    /** {@link OpenSSHKnownHosts} that refuses unknown and changed keys quietly (the caller reports it once). */
    private static final class Strict extends OpenSSHKnownHosts {
        Strict(Path file) throws IOException {
            super(file.toFile());
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
            return false;
        }

        @Override
        protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
            return false;
        }
    }
}
