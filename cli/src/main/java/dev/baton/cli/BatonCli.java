package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.contracts.BatonJson;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code baton} command: registers clusters and requests upgrades through the planner's REST
 * API (which publishes them on {@code baton.clusters.v1} and {@code baton.requests.v1}), follows
 * rollouts, and queries the audit service. Human output by default, {@code --output json} for scripts.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0", usageHelpWidth = 100,
        description = "Rolling upgrades of server clusters, one node at a time.",
        subcommands = {ClusterCommand.class, UpgradeCommand.class, RolloutCommands.Status.class, RolloutCommands.Watch.class,
                RolloutCommands.Pause.class, RolloutCommands.Resume.class, RolloutCommands.Abort.class,
                RolloutCommands.Release.class, RolloutCommands.Retry.class, RolloutCommands.Skip.class, RollbackCommand.class,
                AuditCommand.class, DemoCommand.class, SandboxCommand.class},
        footer = {"", "Exit codes: 0 ok; 1 rollout halted, aborted or rejected, or audit verify failed;",
                "2 usage error; 3 not found; 4 rejected by the service; 5 service unreachable; 6 timed out.",
                "Endpoints: BATON_PLANNER_URL, BATON_AUDIT_URL, BATON_HEALTH_URL, or the --*-url options."})
public final class BatonCli implements Runnable {
    /** How results are printed. */
    public enum Format { human, json }

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "human|json",
            description = "Output format (default: ${DEFAULT-VALUE}).", defaultValue = "human")
    Format output = Format.human;

    @Option(names = "--planner-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Planner REST API (env BATON_PLANNER_URL, default http://localhost:8081).")
    String plannerUrl;

    @Option(names = "--audit-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Audit REST API (env BATON_AUDIT_URL, default http://localhost:8084).")
    String auditUrl;

    @Option(names = "--health-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Health REST API (env BATON_HEALTH_URL, default http://localhost:8083).")
    String healthUrl;

    private final Map<String, String> env;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final boolean terminal;

    public BatonCli(Map<String, String> env, boolean terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        System.exit(commandLine(new BatonCli(System.getenv(), terminal)).execute(args));
    }

    /** The command line with Baton's error handling: one line on stderr and a meaningful exit code. */
    public static CommandLine commandLine(BatonCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException failure) {
                cmd.getErr().println("baton: " + failure.getMessage());
                return failure.exitCode();
            }
            cmd.getErr().println("baton: unexpected error: " + e);
            return ExitCode.UNAVAILABLE;
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("baton: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return ExitCode.USAGE;
        });
        return commandLine;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public BatonApi planner() {
        return new BatonApi(http, "planner", url(plannerUrl, "BATON_PLANNER_URL", "http://localhost:8081"), "BATON_PLANNER_URL");
    }

    public BatonApi audit() {
        return new BatonApi(http, "audit", url(auditUrl, "BATON_AUDIT_URL", "http://localhost:8084"), "BATON_AUDIT_URL");
    }

    public BatonApi health() {
        return new BatonApi(http, "health", url(healthUrl, "BATON_HEALTH_URL", "http://localhost:8083"), "BATON_HEALTH_URL");
    }

    /** Another service's REST API at a known address (e.g. the demo's own audit service), on the CLI's HTTP client. */
    public BatonApi service(String name, String baseUrl) {
        return new BatonApi(http, name, baseUrl, "its base URL");
    }

    private String url(String option, String variable, String fallback) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        String fromEnv = env.get(variable);
        return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv;
    }

    public Format output() {
        return output;
    }

    /** Whether stdout is an interactive terminal (then {@code watch} redraws in place). */
    public boolean terminal() {
        return terminal && output == Format.human;
    }

    /** How wide a redrawn line may be: the terminal's width ({@code COLUMNS}, set by the launcher) less one. */
    public int width() {
        try {
            int columns = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
            return columns > 20 ? columns - 1 : 159;
        } catch (NumberFormatException unknown) {
            return 159;
        }
    }

    public String user() {
        String user = env.getOrDefault("USER", System.getProperty("user.name", "cli"));
        return "cli:" + user;
    }

    /** Prints the JSON as it is ({@code --output json}) or the human text. */
    public void print(JsonNode json, Supplier<String> human) {
        PrintWriter out = spec.commandLine().getOut();
        if (output == Format.json) {
            out.println(toJson(json));
        } else {
            String text = human.get();
            if (!text.isEmpty()) {
                out.println(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
            }
        }
        out.flush();
    }

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    static String toJson(Object value) {
        try {
            return BatonJson.mapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
