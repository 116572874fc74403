package io.jwg.noise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void completesRealHandshakesAndTransportRoundTrips() {
        assertThat(Warmup.handshakes(3, 30_000)).isEqualTo(3); // each one checked: MAC1, response, keepalive
        assertThat(Warmup.handshakes(1000, 0)).isZero(); // bounded by time
        assertThat(Warmup.run(20)).isPositive();
    }
}
