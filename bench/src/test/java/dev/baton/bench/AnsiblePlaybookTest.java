package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.procedure.Procedure;
import dev.baton.procedure.ProcedureCatalog;
import dev.baton.procedure.StepDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnsiblePlaybookTest {
    private final Procedure matrix = ProcedureCatalog.shipped().get("matrix-server").orElseThrow();
    private final AnsiblePlaybook playbook = new AnsiblePlaybook(
            List.of(new AnsiblePlaybook.Host("mx16", "127.77.1.16", 40016), new AnsiblePlaybook.Host("mx02", "127.77.1.2", 40002)),
            "3.5.1", "root", Path.of("/w/fleet/id_ed25519"), Path.of("/w/fleet/known_hosts"), 3, Duration.ofMillis(300));

    @Test
    void onePlayOneHostAtATimeWithoutFactsStoppingAtTheFirstFailure() {
        Map<String, Object> play = play();

        assertThat(play).containsEntry("hosts", "matrix").containsEntry("serial", 1).containsEntry("gather_facts", false)
                .containsEntry("any_errors_fatal", true).containsEntry("max_fail_percentage", 0).containsEntry("order", "inventory");
    }

    @Test
    void theTasksRunTheProcedureStepsInOrderWithRawThenWaitForTheSameHealthCondition() {
        List<Map<String, Object>> tasks = tasks();
        Map<String, Object> vars = vars();

        assertThat(tasks).allSatisfy(task -> assertThat(task).containsKey("ansible.builtin.raw"));
        List<String> stepCommands = tasks.subList(0, matrix.steps().size()).stream()
                .map(t -> ((String) t.get("ansible.builtin.raw")).replace("{{ target_version }}", (String) vars.get("target_version")))
                .toList();
        assertThat(stepCommands).containsExactlyElementsOf(matrix.steps().stream()
                .map(s -> s.render(Map.of("targetVersion", "3.5.1"))).toList());

        Map<String, Object> health = tasks.get(tasks.size() - 1);
        assertThat(health.get("ansible.builtin.raw")).isEqualTo(matrix.health().command());
        // a whole line, as the procedure's anchored activePattern: "... is running but has left the matrix" does not count
        assertThat((String) health.get("until")).contains("matrix_status.rc == 0")
                .contains("('Matrix Server ' ~ target_version ~ ' is running') in (matrix_status.stdout_lines | map('trim') | list)");
        assertThat(matrix.health().activePattern().pattern()).isEqualTo("^Matrix Server \\S+ is running$");
        assertThat(health).containsEntry("loop", "{{ range(1, stable_probes + 1) | list }}").containsEntry("changed_when", false);
        assertThat(vars).containsEntry("stable_probes", matrix.health().stableProbes());
        @SuppressWarnings("unchecked")
        Map<String, Object> loopControl = (Map<String, Object>) health.get("loop_control");
        assertThat(loopControl).containsEntry("pause", 0.3);
        assertThat(tasks).hasSize(matrix.steps().size() + 1);
        assertThat(matrix.steps()).extracting(StepDefinition::name).containsExactly("stop", "install", "start");
    }

    @Test
    void theInventoryListsTheHostsInUpgradeOrderWithTheirSshEndpoints() {
        assertThat(playbook.inventory().lines().filter(l -> l.startsWith("mx")))
                .containsExactly("mx16 ansible_host=127.77.1.16 ansible_port=40016", "mx02 ansible_host=127.77.1.2 ansible_port=40002");
        assertThat(playbook.inventory()).contains("ansible_user=root", "ansible_ssh_private_key_file=/w/fleet/id_ed25519");
    }

    @Test
    void theConfigTurnsPipeliningOnAndChecksHostKeysAgainstTheFleetsKnownHosts() {
        String config = playbook.config(Path.of("/tmp/cp"));

        assertThat(config).contains("pipelining = True", "host_key_checking = True", "UserKnownHostsFile=/w/fleet/known_hosts",
                "StrictHostKeyChecking=yes", "ControlPersist=60s", "control_path_dir = /tmp/cp");
    }

    @Test
    void secondsAreWrittenWithoutTrailingZeros() {
        assertThat(AnsiblePlaybook.seconds(Duration.ofMillis(300))).isEqualTo("0.3");
        assertThat(AnsiblePlaybook.seconds(Duration.ofSeconds(2))).isEqualTo("2");
        assertThat(AnsiblePlaybook.seconds(Duration.ofMillis(1250))).isEqualTo("1.25");
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
