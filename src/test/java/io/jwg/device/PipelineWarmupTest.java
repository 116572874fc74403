package io.jwg.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.net.LinuxUdp;
import org.junit.jupiter.api.Test;

/** The start-up warm-ups really push packets through the code they are meant to compile. */
class PipelineWarmupTest {
    @Test
    void pipelineWarmupCompletesHandshakeAndRoundTrips() {
        long t0 = System.nanoTime();
        long n = PipelineWarmup.run(300);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("pipeline warm-up: " + n + " round trips in " + ms + " ms");
        assertThat(n).as("round trips through the in-memory device pair").isGreaterThan(50);
        assertThat(ms).as("bounded in time").isLessThan(3000);
    }

    @Test
    void udpWarmupBouncesDatagramsOverLoopback() {
        assertThat(LinuxUdp.warmUp(200)).isEqualTo(200);
    }
}
