package dev.baton.sandbox.fleet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionTest {

    @Test
    void comparesNumberByNumberNotAsText() {
        assertThat(Version.compare("3.5.10", "3.5.9")).isPositive();
        assertThat(Version.compare("5.21.0", "5.20.0")).isPositive();
        assertThat(Version.compare("3.5.0", "3.5.1")).isNegative();
        assertThat(Version.compare("10.0", "9.99.99")).isPositive();
    }

    @Test
    void missingPartsCountAsZero() {
        assertThat(Version.compare("3.5", "3.5.0")).isZero();
        assertThat(Version.parse("3.5.1").newerThan(Version.parse("3.5"))).isTrue();
    }

    @Test
    void hugeNumbersDoNotOverflow() {
        assertThat(Version.compare("1.99999999999999999999", "1.99999999999999999998")).isPositive();
        assertThat(Version.compare("1.007", "1.7")).isZero();
    }

    @Test
    void rejectsWhatIsNotADottedVersion() {
        assertThatThrownBy(() -> Version.parse("3.5.x")).hasMessageContaining("'3.5.x' is not a version");
        assertThat(Version.isValid("")).isFalse();
        assertThat(Version.isValid("3..5")).isFalse();
        assertThat(Version.isValid(null)).isFalse();
    }
}
