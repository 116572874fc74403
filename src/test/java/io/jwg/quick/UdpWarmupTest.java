package io.jwg.quick;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UdpWarmupTest {
    @Test
    void everyDatagramCrossesTheLoopback() throws Exception {
        assertThat(UdpWarmup.run(3)).isEqualTo(24);
    }
}
