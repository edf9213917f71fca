package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** A generated playbook read back as YAML, for the playbook tests: its one play, the play's tasks and vars. */
final class PlaybookYaml {
    private PlaybookYaml() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> play(String playbook) {
        List<Map<String, Object>> plays = new Yaml().load(playbook);
        assertThat(plays).hasSize(1);
        return plays.get(0);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> tasks(String playbook) {
        return (List<Map<String, Object>>) play(playbook).get("tasks");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> vars(String playbook) {
        return (Map<String, Object>) play(playbook).get("vars");
    }
}
