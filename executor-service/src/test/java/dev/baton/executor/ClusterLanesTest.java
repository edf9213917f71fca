package dev.baton.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterLanesTest {
    private final ClusterLanes lanes = new ClusterLanes(4);
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        lanes.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void oneClustersCommandsRunOneAfterTheOtherInArrivalOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allDone = new CountDownLatch(3);
        lanes.submit("c1", () -> {
            events.add("start 1");
            awaitLatch(release);
            events.add("end 1");
        }, allDone::countDown);
        lanes.submit("c1", () -> events.add("run 2"), allDone::countDown);
        lanes.submit("c1", () -> events.add("run 3"), allDone::countDown);

        release.countDown();

        assertThat(allDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("start 1", "end 1", "run 2", "run 3");
    }

    @Test
    void differentClustersRunAtTheSameTime() throws Exception {
        CountDownLatch bothStarted = new CountDownLatch(2);
        CountDownLatch done = new CountDownLatch(2);
        for (String cluster : List.of("c1", "c2")) {
            lanes.submit(cluster, () -> {
                bothStarted.countDown();
                awaitLatch(bothStarted); // only returns if the other cluster's command runs concurrently
            }, done::countDown);
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownHandsBackQueuedCommandsAndLetsTheRunningOneFinish() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        lanes.submit("c1", () -> {
            started.countDown();
            awaitLatch(release);
            events.add("first finished");
        }, () -> events.add("first acknowledged"));
        lanes.submit("c1", () -> events.add("queued ran"), () -> events.add("queued acknowledged"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> lanes.shutdown(Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(10)).until(lanes::closed);
        release.countDown(); // the running command finishes while shutdown waits for it

        assertThat(shutdown.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("first finished", "first acknowledged");
        assertThat(lanes.submit("c2", () -> events.add("after shutdown"), () -> { })).isFalse();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
