package io.jwg.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MemoryTunTest {

    @Test
    void injectedPacketsAreReadInOrderAndCopied() throws Exception {
        MemoryTun tun = new MemoryTun("mem0");
        byte[] p = {0x45, 1, 2, 3};
        assertThat(tun.inject(p)).isTrue();
        p[1] = 9; // the queued copy is unaffected
        assertThat(tun.inject(new byte[] {0, 0x60, 7, 8, 0}, 1, 3)).isTrue();
        byte[] buf = new byte[20];
        assertThat(tun.read(buf, 2, 18)).isEqualTo(4);
        assertThat(buf).startsWith(0, 0, 0x45, 1, 2, 3);
        assertThat(tun.read(buf, 0, 20)).isEqualTo(3);
        assertThat(buf).startsWith(0x60, 7, 8);
        assertThat(tun.name()).isEqualTo("mem0");
    }

    @Test
    void writtenPacketsAreTakenByTheKernelSide() throws Exception {
        MemoryTun tun = new MemoryTun("mem0");
        byte[] buf = {9, 0x45, 5, 6, 9};
        tun.write(buf, 1, 3);
        buf[2] = 0;
        assertThat(tun.written()).isEqualTo(1);
        assertThat(tun.take(Duration.ofSeconds(1))).containsExactly(0x45, 5, 6);
        assertThat(tun.poll()).isNull();
        assertThat(tun.take(Duration.ofMillis(10))).isNull();
    }

    @Test
    void longPacketIsTruncatedToMax() throws Exception {
        MemoryTun tun = new MemoryTun("mem0");
        tun.inject(new byte[100]);
        assertThat(tun.read(new byte[100], 0, 40)).isEqualTo(40);
    }

    @Test
    void fullQueuesDrop() throws Exception {
        MemoryTun tun = new MemoryTun("mem0", 2);
        assertThat(tun.inject(new byte[1])).isTrue();
        assertThat(tun.inject(new byte[1])).isTrue();
        assertThat(tun.inject(new byte[1])).isFalse();
        for (int i = 0; i < 3; i++) {
            tun.write(new byte[1], 0, 1);
        }
        assertThat(tun.written()).isEqualTo(2);
        assertThat(tun.dropped()).isEqualTo(2);
    }

    @Test
    void closeUnblocksAllReaders() throws Exception {
        MemoryTun tun = new MemoryTun("mem0");
        var r1 = CompletableFuture.supplyAsync(() -> read(tun));
        var r2 = CompletableFuture.supplyAsync(() -> read(tun));
        Thread.sleep(100);
        assertThat(r1).isNotDone();
        tun.close();
        assertThat(r1.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(r2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(tun.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThatThrownBy(() -> tun.write(new byte[4], 0, 4)).isInstanceOf(ClosedChannelException.class);
        assertThat(tun.inject(new byte[4])).isFalse();
    }

    private static int read(MemoryTun tun) {
        try {
            return tun.read(new byte[100], 0, 100);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
