package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VirtualFilesTest {

    @TempDir
    Path root;

    @Test
    void nodePathsLiveBelowTheRootWhereSftpSeesThem() throws Exception {
        VirtualFiles files = new VirtualFiles(root);

        assertThat(files.write("/root/node_RPMS/a.rpm", "package a\n".getBytes())).isTrue();

        assertThat(Files.readString(root.resolve("root/node_RPMS/a.rpm"))).isEqualTo("package a\n");
        assertThat(files.isDirectory("/root/node_RPMS")).isTrue();
        assertThat(files.list("/root")).containsExactly("node_RPMS");
        Files.writeString(root.resolve("root/node_RPMS/b.rpm"), "pushed over sftp\n");
        assertThat(files.read("/root/node_RPMS/b.rpm")).asString().isEqualTo("pushed over sftp\n");
    }

    @Test
    void moveReplacesAFileAndDeleteRemovesATree() {
        VirtualFiles files = new VirtualFiles(root);
        files.write("/root/.baton/ledger/c1.tmp", "new");
        files.write("/root/.baton/ledger/c1.done", "old");

        assertThat(files.move("/root/.baton/ledger/c1.tmp", "/root/.baton/ledger/c1.done")).isTrue();

        assertThat(files.read("/root/.baton/ledger/c1.done")).asString().isEqualTo("new");
        assertThat(files.exists("/root/.baton/ledger/c1.tmp")).isFalse();
        assertThat(files.move("/root/missing", "/root/elsewhere")).isFalse();
        assertThat(files.delete("/root/.baton")).isTrue();
        assertThat(files.list("/root")).isEmpty();
        assertThat(files.delete("/")).isFalse();
    }

    @Test
    void noPathReachesOutsideTheRoot() {
        VirtualFiles files = new VirtualFiles(root.resolve("node"));

        files.write("/../../escaped", "x");

        assertThat(root.resolve("escaped")).doesNotExist();
        assertThat(files.read("/escaped")).asString().isEqualTo("x");
        assertThat(files.mkdirs("/a/b")).isTrue();
        assertThat(files.write("/a/b", "a directory is in the way".getBytes())).isFalse();
        assertThat(files.list("/")).isEqualTo(List.of("a", "escaped"));
    }
}
