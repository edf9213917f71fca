package dev.baton.sandbox.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * The file system of one simulated node: absolute node paths ({@code /root/node_RPMS/x.rpm}) mapped below a
 * directory of the host ({@link #root()}), so the node's shell and its SFTP subsystem see the same files.
 * Touches no topic.
 */
final class VirtualFiles {

    private final Path root;

    /** A node file system in a fresh temporary directory, removed when the JVM exits. */
    VirtualFiles() {
        this(temporaryRoot());
    }

    /** A node file system below {@code root} (created if missing). */
    VirtualFiles(Path root) {
        try {
            this.root = Files.createDirectories(root).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulated node's file system at " + root, e);
        }
    }

    private static Path temporaryRoot() {
        try {
            Path dir = Files.createTempDirectory("baton-node-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for a simulated node", e);
        }
    }

    /** The host directory that holds the node's {@code /}. */
    Path root() {
        return root;
    }

    /** The absolute, normalised form of {@code path} seen from {@code cwd} ({@code .} and {@code ..} resolved). */
    static String resolve(String cwd, String path) {
        String joined = path.startsWith("/") ? path : cwd + "/" + path;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : joined.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The host path of a node path; node paths are normalised by {@link #resolve} first, so none escapes the root. */
    private Path host(String path) {
        String normal = resolve("/", path);
        return normal.equals("/") ? root : root.resolve(normal.substring(1));
    }

    synchronized boolean isDirectory(String path) {
        return Files.isDirectory(host(path), LinkOption.NOFOLLOW_LINKS);
    }

    synchronized boolean isFile(String path) {
        return Files.isRegularFile(host(path), LinkOption.NOFOLLOW_LINKS);
    }

    synchronized boolean exists(String path) {
        return isDirectory(path) || isFile(path);
    }

    /** Creates a directory and its parents; false if a file is in the way. */
    synchronized boolean mkdirs(String path) {
        try {
            Files.createDirectories(host(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes a file, creating its parent directories; false if a directory is in the way. */
    synchronized boolean write(String path, byte[] content) {
        Path file = host(path);
        if (Files.isDirectory(file) || file.equals(root) || !mkdirs(parent(resolve("/", path)))) {
            return false;
        }
        try {
            Files.write(file, content);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    synchronized void write(String path, String content) {
        write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes of a file, or null. */
    synchronized byte[] read(String path) {
        Path file = host(path);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** The names directly inside a directory, sorted. */
    synchronized List<String> list(String directory) {
        Path dir = host(directory);
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return new ArrayList<>(entries.map(p -> p.getFileName().toString()).sorted().toList());
        } catch (IOException e) {
            return new ArrayList<>();
        }
    }

    /** Moves a file or directory (replacing a file at the target, atomically where the host allows); false if it cannot. */
    synchronized boolean move(String from, String to) {
        Path source = host(from);
        Path target = host(to);
        if (!Files.exists(source) || source.equals(root) || target.equals(root)) {
            return false;
        }
        if (Files.isDirectory(target)) {
            target = target.resolve(source.getFileName().toString());
        }
        try {
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes a file or a directory with everything under it; false if nothing was there. */
    synchronized boolean delete(String path) {
        Path target = host(path);
        if (target.equals(root) || !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        deleteTree(target);
        return true;
    }

    private static void deleteTree(Path top) {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(top)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover file of a simulated node is harmless
        }
    }
}
