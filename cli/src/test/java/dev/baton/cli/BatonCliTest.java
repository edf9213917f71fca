package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line itself: argument errors, exit codes, one-line errors, output formats; no service involved. */
class BatonCliTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine commandLine = BatonCli.commandLine(new BatonCli(env, false));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private int run(String... args) {
        return run(Map.of("BATON_PLANNER_URL", "http://127.0.0.1:" + closedPort()), args);
    }

    @Test
    void aMissingRequiredOptionIsAUsageErrorOnOneLine() {
        assertThat(run("upgrade", "matrix-prod")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo(
                "baton: Missing required option: '--to=VERSION' (see 'baton upgrade --help')");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("upgrad", "x")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("baton: Unmatched arguments from index 0: 'upgrad', 'x'");
    }

    @Test
    void badNumbersAndDurationsAreRejectedBeforeAnythingIsSent() {
        // the planner URL points at a closed port: a usage error must come first
        assertThat(run("upgrade", "matrix-prod", "--to", "3.5.1", "--max-unavailable", "0")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: --max-unavailable must be at least 1, got 0");

        err.getBuffer().setLength(0);
        assertThat(run("upgrade", "matrix-prod", "--to", "3.5.1", "--delay", "30s")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: --delay: '30s' is not an ISO 8601 duration (e.g. PT30S, PT5M)");

        err.getBuffer().setLength(0);
        assertThat(run("upgrade", "matrix-prod", "--to", "3.5.1", "--canary", "two")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).startsWith("baton: Invalid value for option '--canary': 'two' is not an int");
    }

    @Test
    void anUnreachablePlannerIsExitFiveWithTheUrlAndTheSettingToChange() {
        int port = closedPort();
        assertThat(run(Map.of("BATON_PLANNER_URL", "http://127.0.0.1:" + port), "status")).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(err.toString().strip()).isEqualTo("baton: cannot reach the planner at http://127.0.0.1:" + port
                + " (connection refused or timed out); set BATON_PLANNER_URL or --planner-url");
    }

    @Test
    void theUrlOptionWinsOverTheEnvironment() {
        int port = closedPort();
        assertThat(run(Map.of("BATON_PLANNER_URL", "http://example.invalid:1"), "status", "--planner-url",
                "http://127.0.0.1:" + port)).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(err.toString()).contains("http://127.0.0.1:" + port);
    }

    @Test
    void importAnsibleDryRunPrintsTheClusterAsJsonWithOutputJson() throws IOException {
        Path inventory = Files.writeString(dir.resolve("hosts.ini"), AnsibleInventoryTest.INI);

        int status = run("cluster", "import-ansible", inventory.toString(), "--cluster-id", "matrix-prod",
                "--product", "matrix-server", "--group", "matrix", "--dry-run", "-o", "json");

        assertThat(status).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"clusterId\" : \"matrix-prod\"").contains("\"sshHost\" : \"192.0.2.11\"")
                .doesNotContain("s3cret");
    }

    @Test
    void importAnsibleDryRunPrintsTheClusterForHumans() throws IOException {
        Path inventory = Files.writeString(dir.resolve("hosts.ini"), AnsibleInventoryTest.INI);

        int status = run("cluster", "import-ansible", inventory.toString(), "--cluster-id", "matrix-prod",
                "--product", "matrix-server", "--group", "matrix", "--dry-run");

        assertThat(status).isEqualTo(ExitCode.OK);
        assertThat(out.toString().lines()).first().isEqualTo("cluster matrix-prod (matrix-server, procedure matrix-server, 3 nodes)");
        assertThat(out.toString()).contains("srv2         ssh ops@192.0.2.12:2222  cluster address 10.10.1.2")
                .contains("(dry run: not registered)");
    }

    @Test
    void aClusterFileWithATypoNamesTheFieldAndLine() throws IOException {
        Path file = Files.writeString(dir.resolve("c.yaml"), """
                clusterId: matrix-prod
                product: matrix-server
                nodes:
                  - name: srv1
                    sshhost: 192.0.2.11
                """);

        assertThat(run("cluster", "register", "-f", file.toString())).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: " + file + ": nodes[0].sshhost: unknown field (known: addresses, "
                + "arch, clusterAddress, labels, name, os, sshHost, sshPort, sshUser)");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void aClusterFileMayNameHooksAndABadOneIsRefusedNamingTheField() throws IOException {
        String cluster = """
                clusterId: dolphin-lab
                product: dolphin-expressware
                hooks:
                  beforeDisruption:
                    command: "service sockets-db stop"
                    timeout: PT2M
                  afterActive:
                    command: "lb undrain"
                    onFailure: %s
                nodes:
                  - name: dx1
                """;
        Path good = Files.writeString(dir.resolve("good.yaml"), cluster.formatted("continue"));
        assertThat(run("cluster", "register", "-f", good.toString(), "--dry-run", "-o", "json")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"command\" : \"service sockets-db stop\"").contains("\"timeout\" : \"PT2M\"")
                .contains("\"onFailure\" : \"continue\"");

        Path bad = Files.writeString(dir.resolve("bad.yaml"), cluster.formatted("ignore"));
        assertThat(run("cluster", "register", "-f", bad.toString(), "--dry-run")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: " + bad + ": hooks.afterActive.onFailure must be halt or continue,"
                + " not 'ignore'");
    }

    @Test
    void aClusterFileIsCheckedAndDefaulted() throws IOException {
        Path file = Files.writeString(dir.resolve("c.yaml"), """
                clusterId: dolphin-lab
                product: dolphin-expressware
                nodes:
                  - {name: dx1, sshHost: 192.0.2.21, sshUser: root}
                  - {name: dx1, sshHost: 192.0.2.22, sshUser: root}
                """);
        assertThat(run("cluster", "register", "-f", file.toString())).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: " + file + ": nodes[1].name: 'dx1' appears twice");

        Files.writeString(file, """
                clusterId: dolphin-lab
                product: dolphin-expressware
                nodes:
                  - {name: dx1, sshHost: 192.0.2.21, sshUser: root}
                """);
        out.getBuffer().setLength(0);
        assertThat(run("cluster", "register", "-f", file.toString(), "--dry-run", "--output", "json")).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("\"sshPort\" : 22").contains("\"procedure\" : \"dolphin-expressware\"");
    }

    @Test
    void auditEventsNeedAFilter() {
        assertThat(run("audit", "events")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString().strip()).isEqualTo("baton: audit events needs --rollout, --cluster or --type");
    }

    @Test
    void anUnknownOutputFormatIsAUsageError() {
        assertThat(run("status", "-o", "yaml")).isEqualTo(ExitCode.USAGE);
        assertThat(err.toString()).startsWith("baton: Invalid value for option '--output'");
    }

    @Test
    void aFieldThePlannerRefusesIsExitFourWithTheFieldAndThePlannersMessageOnOneLine() throws IOException {
        // the body the planner answers for {"targetVersion": "x.y"} (RestValidationTest), served by a stand-in
        String refusal = "{\"error\":\"targetVersion 'x.y' is not a version: a version is numbers separated by dots,"
                + " like 5.21.0 or 3.5.1\",\"field\":\"targetVersion\"}";
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer planner = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        planner.createContext("/api/v1/rollouts", exchange -> {
            received.add(exchange.getRequestMethod() + " " + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = refusal.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        planner.start();
        try {
            int status = run(Map.of("BATON_PLANNER_URL", "http://127.0.0.1:" + planner.getAddress().getPort()),
                    "upgrade", "matrix-prod", "--to", "x.y");

            assertThat(status).isEqualTo(ExitCode.REJECTED);
            assertThat(err.toString().lines()).containsExactly("baton: planner rejected the request: targetVersion 'x.y'"
                    + " is not a version: a version is numbers separated by dots, like 5.21.0 or 3.5.1 (field targetVersion)");
            assertThat(received).singleElement().asString().startsWith("POST ").contains("\"targetVersion\":\"x.y\"");
        } finally {
            planner.stop(0);
        }
    }

    @Test
    void rollbackShowsTheDryRunPlanFirstAndStartsOnlyWithYes() throws IOException {
        List<String> posted = new CopyOnWriteArrayList<>();
        HttpServer planner = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        planner.createContext("/api/v1/rollouts", exchange -> {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            String body;
            if (exchange.getRequestMethod().equals("POST")) {
                posted.add(exchange.getRequestURI().getPath() + "?" + query);
                String requestId = query.contains("dryRun=true") ? "rb-dry" : "rb-real";
                body = "{\"rolloutId\":\"ro-1\",\"action\":\"rollback\",\"requestId\":\"" + requestId
                        + "\",\"clusterId\":\"dolphin-lab\"}";
            } else {
                boolean dry = query.contains("rb-dry");
                body = "[{\"rolloutId\":\"" + (dry ? "ro-dry" : "ro-back") + "\",\"requestId\":\"" + (dry ? "rb-dry" : "rb-real")
                        + "\",\"clusterId\":\"dolphin-lab\",\"targetVersion\":\"5.20.0\",\"state\":\""
                        + (dry ? "PLANNED" : "RUNNING") + "\",\"dryRun\":" + dry + ",\"nodes\":[{\"nodeName\":\"dx1\","
                        + "\"fromVersion\":\"5.21.0\",\"state\":\"PENDING\"},{\"nodeName\":\"dx2\",\"fromVersion\":\"5.21.0\","
                        + "\"state\":\"SKIPPED\",\"note\":\"excluded\"}]}]";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? 202 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        planner.start();
        Map<String, String> env = Map.of("BATON_PLANNER_URL", "http://127.0.0.1:" + planner.getAddress().getPort());
        try {
            assertThat(run(env, "rollback", "ro-1", "--requested-by", "bob")).isEqualTo(ExitCode.OK);
            assertThat(posted).containsExactly("/api/v1/rollouts/ro-1/rollback?dryRun=true&requestedBy=bob");
            assertThat(out.toString()).contains("rollback of ro-1: plan for dolphin-lab -> 5.20.0 (dry run: no node touched)")
                    .contains("dx1").contains("5.21.0 -> 5.20.0").contains("(skipped: excluded)")
                    .contains("nothing was touched; to start it: baton rollback ro-1 --yes");

            posted.clear();
            out.getBuffer().setLength(0);
            assertThat(run(env, "rollback", "ro-1", "--yes", "--requested-by", "bob")).isEqualTo(ExitCode.OK);
            assertThat(posted).containsExactly("/api/v1/rollouts/ro-1/rollback?dryRun=true&requestedBy=bob",
                    "/api/v1/rollouts/ro-1/rollback?dryRun=false&requestedBy=bob");
            assertThat(out.toString()).contains("(dry run: no node touched)")
                    .contains("rollback of ro-1: rollout ro-back accepted: dolphin-lab -> 5.20.0")
                    .doesNotContain("nothing was touched");

            assertThat(run(env, "rollback", "ro-1", "--watch")).isEqualTo(ExitCode.USAGE);
            assertThat(err.toString()).contains("--watch follows a rollback that runs: add --yes");
        } finally {
            planner.stop(0);
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
