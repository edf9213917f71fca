package dev.baton.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

class SandboxSourceTest {
    private final AtomicInteger dockerAsked = new AtomicInteger();

    private BooleanSupplier docker(boolean answers) {
        return () -> {
            dockerAsked.incrementAndGet();
            return answers;
        };
    }

    @Test
    void externalSettingWinsWithoutAskingDocker() {
        SandboxSource source = SandboxSource.choose("BATON_KAFKA_BOOTSTRAP",
                Map.of("BATON_KAFKA_BOOTSTRAP", "broker:9092")::get, docker(true));

        assertThat(source).isEqualTo(SandboxSource.EXTERNAL);
        assertThat(dockerAsked).hasValue(0);
    }

    @Test
    void containerWhenDockerAnswers() {
        assertThat(SandboxSource.choose("BATON_KAFKA_BOOTSTRAP", Map.<String, String>of()::get, docker(true)))
                .isEqualTo(SandboxSource.CONTAINER);
    }

    @Test
    void embeddedWhenDockerDoesNotAnswer() {
        assertThat(SandboxSource.choose("BATON_POSTGRES_URL", Map.<String, String>of()::get, docker(false)))
                .isEqualTo(SandboxSource.EMBEDDED);
        assertThat(dockerAsked).hasValue(1);
    }

    @Test
    void dockerSettingFalseKeepsContainersOutWithoutAskingDocker() {
        SandboxSource source = SandboxSource.choose("BATON_POSTGRES_URL",
                Map.of(SandboxSource.DOCKER_SETTING, "FALSE")::get, docker(true));

        assertThat(source).isEqualTo(SandboxSource.EMBEDDED);
        assertThat(dockerAsked).hasValue(0);
    }

    @Test
    void settingReadsSystemPropertyAndTreatsBlankAsUnset() {
        String name = "baton.test.setting." + System.nanoTime();
        assertThat(SandboxSource.setting(name)).isNull();
        System.setProperty(name, "  ");
        assertThat(SandboxSource.setting(name)).isNull();
        System.setProperty(name, " broker:9092 ");
        assertThat(SandboxSource.setting(name)).isEqualTo("broker:9092");
        System.clearProperty(name);
    }
}
