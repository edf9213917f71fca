package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.contracts.BatonJson;
import dev.baton.contracts.ClusterRegistered;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton cluster ...}: register clusters (published by the planner on {@code baton.clusters.v1}) and look at them. */
@Command(name = "cluster", description = "Register and inspect clusters.", mixinStandardHelpOptions = true,
        subcommands = {ClusterCommand.Register.class, ClusterCommand.ImportAnsible.class, ClusterCommand.ListClusters.class,
                ClusterCommand.Show.class})
final class ClusterCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static int register(BatonCli cli, ClusterRegistered cluster, boolean dryRun) {
        if (dryRun) {
            cli.print(BatonJson.mapper().valueToTree(cluster), () -> Text.cluster(cluster) + "\n(dry run: not registered)");
            return ExitCode.OK;
        }
        JsonNode answer = cli.planner().post("/api/v1/clusters", cluster);
        cli.print(answer, () -> "registered " + Text.cluster(cluster).lines().findFirst().orElse("")
                + "\npublished as ClusterRegistered on baton.clusters.v1");
        return ExitCode.OK;
    }

    @Command(name = "register", description = "Register a cluster from a file (YAML or JSON, the ClusterRegistered shape).",
            mixinStandardHelpOptions = true)
    static final class Register extends BatonSubcommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "cluster file (YAML or JSON)")
        Path file;

        @Option(names = "--dry-run", description = "Check and print the cluster, do not register it.")
        boolean dryRun;

        @Override
        public Integer call() {
            return register(cli(), ClusterDefinition.load(file), dryRun);
        }
    }

    @Command(name = "import-ansible", mixinStandardHelpOptions = true,
            description = {"Register the hosts of an Ansible inventory (INI or YAML) as one cluster.",
                    "Reads ansible_host, ansible_port, ansible_user, baton_cluster_address, baton_addresses, baton_arch,",
                    "baton_os and baton_label_<name>; every other variable (passwords included) is ignored."})
    static final class ImportAnsible extends BatonSubcommand {
        @Parameters(index = "0", paramLabel = "INVENTORY", description = "inventory file (INI, or YAML: .yml/.yaml)")
        Path inventory;

        @Option(names = "--cluster-id", required = true, description = "id of the cluster to register")
        String clusterId;

        @Option(names = "--product", required = true, description = "product the nodes run, e.g. matrix-server")
        String product;

        @Option(names = "--group", defaultValue = "all",
                description = "inventory group whose hosts form the cluster (default: ${DEFAULT-VALUE})")
        String group;

        @Option(names = "--procedure", description = "procedure name (default: the product's)")
        String procedure;

        @Option(names = "--ssh-user", defaultValue = "root",
                description = "SSH user where the inventory sets no ansible_user (default: ${DEFAULT-VALUE})")
        String sshUser;

        @Option(names = "--dry-run", description = "Print the cluster, do not register it.")
        boolean dryRun;

        @Override
        public Integer call() {
            AnsibleInventory parsed = AnsibleInventory.load(inventory);
            return register(cli(), ClusterDefinition.fromInventory(parsed, group, clusterId, product, procedure, sshUser,
                    inventory.toString()), dryRun);
        }
    }

    @Command(name = "list", description = "List the registered clusters.", mixinStandardHelpOptions = true)
    static final class ListClusters extends BatonSubcommand {
        @Override
        public Integer call() {
            JsonNode clusters = cli().planner().get("/api/v1/clusters");
            cli().print(clusters, () -> Text.clusterTable(clusters));
            return ExitCode.OK;
        }
    }

    @Command(name = "show", description = "Show a cluster's nodes and their health.", mixinStandardHelpOptions = true)
    static final class Show extends BatonSubcommand {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String clusterId;

        @Override
        public Integer call() {
            JsonNode health = cli().health().get("/api/v1/health/clusters/" + BatonApi.segment(clusterId));
            cli().print(health, () -> Text.health(health));
            return ExitCode.OK;
        }
    }
}
