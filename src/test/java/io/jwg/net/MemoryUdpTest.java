package io.jwg.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MemoryUdpTest {
    private final MemoryUdp.Network net = new MemoryUdp.Network();

    private static Datagram dgram(String text, Endpoint to) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        return new Datagram(100).set(b, 0, b.length, to);
    }

    private static String text(Datagram d) {
        return new String(d.data, d.offset, d.length, StandardCharsets.US_ASCII);
    }

    @Test
    void exchangeBatchesByEndpoint() throws Exception {
        MemoryUdp a = net.open("10.0.0.1", 51820);
        MemoryUdp b = net.open("fd00::2", 0);
        assertThat(b.port()).isBetween(49152, 65535);
        assertThat(a.endpoint().toString()).isEqualTo("10.0.0.1:51820");
        Datagram[] out = {dgram("one", b.endpoint()), dgram("two", b.endpoint()), dgram("three", b.endpoint())};
        out[1].offset = 1;
        out[1].length = 2;
        assertThat(a.send(out, 3)).isEqualTo(3);
        Datagram[] in = Datagram.batch(2, 100);
        assertThat(b.receive(in)).isEqualTo(2);
        assertThat(text(in[0])).isEqualTo("one");
        assertThat(text(in[1])).isEqualTo("wo");
        assertThat(in[0].endpoint).isEqualTo(a.endpoint());
        assertThat(b.receive(in)).isEqualTo(1);
        assertThat(text(in[0])).isEqualTo("three");
        // reply to the source endpoint
        in[0].endpoint = in[0].endpoint;
        assertThat(b.send(in, 1)).isEqualTo(1);
        assertThat(a.receive(in)).isEqualTo(1);
        assertThat(in[0].endpoint).isEqualTo(b.endpoint());
        assertThat(net.delivered()).isEqualTo(4);
    }

    @Test
    void unknownDestinationsAndFilteredDatagramsAreDropped() throws Exception {
        MemoryUdp a = net.open("10.0.0.1", 1);
        MemoryUdp b = net.open("10.0.0.2", 2);
        AtomicInteger seen = new AtomicInteger();
        net.setFilter((from, to, data, off, len) -> seen.incrementAndGet() % 2 == 0);
        Datagram[] out = {dgram("x", Endpoint.parse("10.0.0.9:9")), dgram("lost", b.endpoint()), dgram("kept", b.endpoint())};
        assertThat(a.send(out, 3)).isEqualTo(3);
        Datagram[] in = Datagram.batch(4, 100);
        assertThat(b.receive(in)).isEqualTo(1);
        assertThat(text(in[0])).isEqualTo("kept");
        assertThat(net.dropped()).isEqualTo(2);
    }

    @Test
    void portInUseAndReuseAfterClose() throws Exception {
        MemoryUdp a = net.open("10.0.0.1", 51820);
        assertThatThrownBy(() -> net.open("10.0.0.1", 51820)).isInstanceOf(IOException.class)
                .hasMessage("UDP port 51820 is already in use");
        net.open("10.0.0.2", 51820).close(); // other address: fine
        a.close();
        net.open("10.0.0.1", 51820).close();
    }

    @Test
    void tooLongDatagramsAreDroppedAndFullQueuesDrop() throws Exception {
        MemoryUdp.Network small = new MemoryUdp.Network(2);
        MemoryUdp a = small.open("10.0.0.1", 1);
        MemoryUdp b = small.open("10.0.0.2", 2);
        a.send(new Datagram[] {dgram("this is long", b.endpoint()), dgram("ok", b.endpoint()), dgram("full", b.endpoint())}, 3);
        assertThat(small.dropped()).isEqualTo(1);
        Datagram[] in = Datagram.batch(4, 5);
        assertThat(b.receive(in)).isEqualTo(1);
        assertThat(text(in[0])).isEqualTo("ok");
    }

    @Test
    void closeUnblocksReceivers() throws Exception {
        MemoryUdp a = net.open("10.0.0.1", 1);
        var r1 = CompletableFuture.supplyAsync(() -> receive(a));
        var r2 = CompletableFuture.supplyAsync(() -> receive(a));
        Thread.sleep(100);
        assertThat(r1).isNotDone();
        a.close();
        assertThat(r1.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(r2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThatThrownBy(() -> a.send(new Datagram[] {dgram("x", a.endpoint())}, 1)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> a.setMark(1)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void markIsRecorded() throws Exception {
        MemoryUdp a = net.open("10.0.0.1", 1);
        a.setMark(0x51820);
        assertThat(a.mark()).isEqualTo(0x51820);
    }

    private static int receive(MemoryUdp u) {
        try {
            return u.receive(Datagram.batch(4, 100));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
