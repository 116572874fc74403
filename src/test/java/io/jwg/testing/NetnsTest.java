package io.jwg.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
@SuppressWarnings("try")
class NetnsTest {

    @BeforeEach
    void root() {
        Netns.assumeRoot();
    }

    @Test
    void pingAcrossVethV4AndV6() {
        try (Netns a = Netns.create("a"); Netns b = Netns.create("b")) {
            Netns.Veth veth = Netns.pair(a, b, "10.201.0.1/24", "10.201.0.2/24");
            a.addAddress(veth.ifA(), "fd00:201::1/64");
            b.addAddress(veth.ifB(), "fd00:201::2/64");
            Netns.Result r = a.exec("ping", "-c", "1", "-W", "3", "10.201.0.2");
            assertThat(r.exitCode()).as(r.output()).isZero();
            r = b.exec("ping", "-6", "-c", "1", "-W", "3", "fd00:201::1");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(a.run("ip", "-o", "link", "show", veth.ifA())).contains("UP");
        }
    }

    @Test
    void datagramChannelBoundInsideReceivesFromOtherNamespace() throws Exception {
        try (Netns a = Netns.create("a"); Netns b = Netns.create("b")) {
            Netns.pair(a, b, "10.202.0.1/24", "10.202.0.2/24");
            // the channel is created on b's thread, so it lives in b
            try (DatagramChannel rx = b.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(0)))) {
                int port = ((InetSocketAddress) rx.getLocalAddress()).getPort();
                // a socket created via enter() on this thread lives in a
                DatagramChannel tx;
                try (Netns.Entered in = a.enter()) {
                    tx = DatagramChannel.open();
                }
                try (tx) {
                    tx.send(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)),
                            new InetSocketAddress("10.202.0.2", port));
                    ByteBuffer buf = ByteBuffer.allocate(100);
                    rx.configureBlocking(true);
                    InetSocketAddress from = (InetSocketAddress) rx.receive(buf);
                    assertThat(from.getAddress().getHostAddress()).isEqualTo("10.202.0.1");
                    assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII)).isEqualTo("hello");
                }
                // this thread is back in the host namespace: 10.202.0.2 is not local here
                assertThat(Files.readString(Path.of("/proc/thread-self/net/dev"))).doesNotContain("veth0:");
            }
        }
    }

    @Test
    void runInsideSeesOnlyTheNamespacesInterfaces() throws Exception {
        try (Netns a = Netns.create("a")) {
            String dev = a.runInside(() -> Files.readString(Path.of("/proc/thread-self/net/dev")));
            assertThat(dev).contains("lo:").doesNotContain("eth0:");
            assertThatThrownBy(() -> a.runInside(() -> {
                throw new java.io.IOException("boom");
            })).isInstanceOf(java.io.IOException.class).hasMessage("boom");
        }
    }

    @Test
    void startedProcessesAreKilledAndNamespaceDeletedOnClose(@TempDir Path tmp) throws Exception {
        Process p;
        String name;
        try (Netns a = Netns.create("a")) {
            name = a.name();
            p = a.start(List.of("sleep", "300"), tmp.resolve("sleep.log"));
            Netns.waitFor(Duration.ofSeconds(5), "sleep to show up in the namespace",
                    () -> a.exec("ip", "netns", "identify", String.valueOf(p.pid())).output().contains(name));
        }
        assertThat(p.isAlive()).isFalse();
        assertThat(Path.of("/var/run/netns", name)).doesNotExist();
    }

    @Test
    void execTimesOut() {
        try (Netns a = Netns.create("a")) {
            Netns.Result r = a.exec(Duration.ofMillis(300), "sleep", "30");
            assertThat(r.exitCode()).isEqualTo(-1);
            assertThat(r.output()).contains("timed out");
        }
    }
}
