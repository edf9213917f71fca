package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnsibleCommandPlaybookTest {
    private final Procedure matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
    private final AnsibleCommandPlaybook playbook = new AnsibleCommandPlaybook(
            List.of(new AnsiblePlaybook.Host("mx16", "127.79.0.16", 40016), new AnsiblePlaybook.Host("mx02", "127.79.0.2", 40002)),
            "3.5.1", "root", Path.of("/w/fleet/id_ed25519"), Path.of("/w/openssh-nodes/known_hosts"), 3, Duration.ofMillis(300),
            "/usr/bin/python3");

    @Test
    void onePlayOneHostAtATimeInInventoryOrderWithoutFactsStoppingAtTheFirstFailure() {
        assertThat(play()).containsEntry("hosts", "matrix").containsEntry("serial", 1).containsEntry("order", "inventory")
                .containsEntry("gather_facts", false).containsEntry("any_errors_fatal", true).containsEntry("max_fail_percentage", 0);
    }

    @Test
    void everyTaskIsTheCommandModuleRunningTheProceduresStepsThenItsHealthCommandUntilTheSameLine() {
        List<Map<String, Object>> tasks = tasks();
        String target = (String) vars().get("target_version");

        assertThat(tasks).allSatisfy(task -> assertThat(task).containsKey("ansible.builtin.command")
                .doesNotContainKey("ansible.builtin.raw"));
        assertThat(tasks.subList(0, 3).stream().map(t -> ((String) t.get("ansible.builtin.command")).replace("{{ target_version }}",
                target)))
                .containsExactlyElementsOf(matrix.steps().stream().map(s -> s.render(Map.of("targetVersion", "3.5.1"))).toList());
        Map<String, Object> health = tasks.get(3);
        assertThat(health.get("ansible.builtin.command")).isEqualTo(matrix.health().command());
        assertThat((String) health.get("until")).contains("matrix_status.rc == 0")
                .contains("('Matrix Server ' ~ target_version ~ ' is running') in (matrix_status.stdout_lines | map('trim') | list)");
        assertThat(health).containsEntry("loop", "{{ range(1, stable_probes + 1) | list }}").containsEntry("changed_when", false);
        @SuppressWarnings("unchecked")
        Map<String, Object> loopControl = (Map<String, Object>) health.get("loop_control");
        assertThat(loopControl).containsEntry("pause", 0.3);
        assertThat(vars()).containsEntry("stable_probes", matrix.health().stableProbes());
        assertThat(tasks).hasSize(4);
    }

    @Test
    void theInventoryKeepsUpgradeOrderAndNamesTheNodesPythonAsAGroupVariable() {
        String inventory = playbook.inventory();

        assertThat(inventory.lines().filter(l -> l.startsWith("mx")))
                .containsExactly("mx16 ansible_host=127.79.0.16 ansible_port=40016", "mx02 ansible_host=127.79.0.2 ansible_port=40002");
        assertThat(inventory.substring(inventory.indexOf("[matrix:vars]")).lines())
                .contains("ansible_user=root", "ansible_ssh_private_key_file=/w/fleet/id_ed25519",
                        "ansible_python_interpreter=/usr/bin/python3");
    }

    @Test
    void theConfigPipelinesOverOneMultiplexedConnectionPerHostWithStrictHostKeys() {
        assertThat(playbook.config(Path.of("/tmp/cp"))).contains("pipelining = True", "host_key_checking = True",
                "ControlMaster=auto", "ControlPersist=60s", "UserKnownHostsFile=/w/openssh-nodes/known_hosts",
                "StrictHostKeyChecking=yes", "control_path_dir = /tmp/cp");
    }

    @Test
    void ansiblePlaybookAcceptsTheGeneratedProject(@TempDir Path dir) throws Exception {
        Path executable = AnsibleRun.executable();
        Assumptions.assumeTrue(executable != null, "ansible-playbook is not installed");
        playbook.writeTo(dir, dir.resolve("cp"));

        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "--syntax-check", "--list-tasks", "playbook.yml")
                .directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("ANSIBLE_CONFIG", dir.resolve("ansible.cfg").toString());
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(Files.readString(dir.resolve("inventory.ini"))).contains("ansible_python_interpreter=/usr/bin/python3");
    }

    private Map<String, Object> play() {
        return PlaybookYaml.play(playbook.playbook());
    }

    private List<Map<String, Object>> tasks() {
        return PlaybookYaml.tasks(playbook.playbook());
    }

    private Map<String, Object> vars() {
        return PlaybookYaml.vars(playbook.playbook());
    }
}
