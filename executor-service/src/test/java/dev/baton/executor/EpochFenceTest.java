package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EpochFenceTest {
    @Test
    void aLowerEpochThanOneSeenForTheClusterIsRefusedOthersPass() {
        EpochFence fence = new EpochFence();

        assertThat(fence.admit("c1", 3)).isTrue();
        assertThat(fence.admit("c1", 3)).isTrue();
        assertThat(fence.admit("c1", 2)).isFalse();
        assertThat(fence.admit("c2", 1)).as("epochs are per cluster").isTrue();
        assertThat(fence.admit("c1", 4)).isTrue();
        assertThat(fence.admit("c1", 3)).isFalse();
        assertThat(fence.highest("c1")).isEqualTo(4);
    }
}
