package dev.baton.sandbox.fleet;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The file system of one simulated node, in memory: directories and files with their bytes. Touches no topic. */
final class VirtualFiles {

    private final TreeSet<String> directories = new TreeSet<>();
    private final Map<String, byte[]> files = new TreeMap<>();

    VirtualFiles() {
        directories.add("/");
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

    synchronized boolean isDirectory(String path) {
        return directories.contains(path);
    }

    synchronized boolean isFile(String path) {
        return files.containsKey(path);
    }

    synchronized boolean exists(String path) {
        return isDirectory(path) || isFile(path);
    }

    /** Creates a directory and its parents; false if a file is in the way. */
    synchronized boolean mkdirs(String path) {
        if (files.containsKey(path)) {
            return false;
        }
        if (!path.equals("/") && !mkdirs(parent(path))) {
            return false;
        }
        directories.add(path);
        return true;
    }

    /** Writes a file, creating its parent directories; false if a directory is in the way. */
    synchronized boolean write(String path, byte[] content) {
        if (directories.contains(path) || !mkdirs(parent(path))) {
            return false;
        }
        files.put(path, content.clone());
        return true;
    }

    synchronized void write(String path, String content) {
        write(path, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The bytes of a file, or null. */
    synchronized byte[] read(String path) {
        byte[] content = files.get(path);
        return content == null ? null : content.clone();
    }

    /** The names directly inside a directory, sorted. */
    synchronized List<String> list(String directory) {
        String prefix = directory.equals("/") ? "/" : directory + "/";
        TreeSet<String> names = new TreeSet<>();
        for (String dir : directories) {
            if (dir.startsWith(prefix) && dir.length() > prefix.length() && dir.indexOf('/', prefix.length()) < 0) {
                names.add(dir.substring(prefix.length()));
            }
        }
        for (String file : files.keySet()) {
            if (file.startsWith(prefix) && file.indexOf('/', prefix.length()) < 0) {
                names.add(file.substring(prefix.length()));
            }
        }
        return new ArrayList<>(names);
    }

    /** Removes a file or a directory with everything under it; false if nothing was there. */
    synchronized boolean delete(String path) {
        if (path.equals("/")) {
            return false;
        }
        boolean found = files.remove(path) != null;
        if (directories.remove(path)) {
            found = true;
            String prefix = path + "/";
            directories.removeIf(d -> d.startsWith(prefix));
            files.keySet().removeIf(f -> f.startsWith(prefix));
        }
        return found;
    }
}
