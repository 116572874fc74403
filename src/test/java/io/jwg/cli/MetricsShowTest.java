package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.crypto.Key;
import io.jwg.device.Device;
import io.jwg.device.DropReason;
import io.jwg.device.Peer;
import io.jwg.net.Endpoint;
import io.jwg.net.MemoryUdp;
import io.jwg.noise.Clock;
import io.jwg.testing.IcmpPackets;
import io.jwg.testing.PrometheusTextFormat;
import io.jwg.testing.PrometheusTextFormat.Family;
import io.jwg.testing.PrometheusTextFormat.Sample;
import io.jwg.tun.MemoryTun;
import io.jwg.uapi.DeviceBackend;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.JwgExtensions;
import io.jwg.uapi.UapiClient;
import io.jwg.uapi.UapiPaths;
import io.jwg.uapi.UapiProtocol;
import io.jwg.uapi.UapiServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drop counters and keypair ages travel from a real (in-memory) device through jwg's UAPI
 * extension to {@code jwg show --prometheus} and {@code --json}; the Prometheus text is checked by
 * a strict parser of the format and by the reference Python client's parser.
 */
@Timeout(60)
class MetricsShowTest {
    @TempDir Path tmp;
    String saved;
    final MemoryUdp.Network net = new MemoryUdp.Network();
    final Key aKey = Key.generatePrivate(), bKey = Key.generatePrivate();
    MemoryTun aTun, bTun;
    Device a, b;
    Peer aSeesB;
    UapiServer server;

    @BeforeEach
    void start() throws Exception {
        saved = System.getProperty(UapiPaths.DIR_PROPERTY);
        System.setProperty(UapiPaths.DIR_PROPERTY, tmp.toString());
        InetAddress aIp = InetAddress.getByName("10.9.0.1"), bIp = InetAddress.getByName("10.9.0.2");
        aTun = new MemoryTun("a");
        bTun = new MemoryTun("b");
        a = new Device(aKey, aTun, port -> net.open("192.0.2.1", port), 0, 1420, Clock.SYSTEM);
        b = new Device(bKey, bTun, port -> net.open("192.0.2.2", port), 51820, 1420, Clock.SYSTEM);
        aSeesB = a.addPeer(bKey.publicKey());
        a.allowIp(aSeesB, bIp.getAddress(), 32);
        aSeesB.setEndpoint(Endpoint.of(InetAddress.getByName("192.0.2.2"), 51820));
        Peer bSeesA = b.addPeer(aKey.publicKey());
        b.allowIp(bSeesA, aIp.getAddress(), 32);
        a.addPeer(Key.generatePrivate().publicKey()); // a second peer: no endpoint, no session
        a.start();
        b.start();
        aTun.inject(IcmpPackets.echo(aIp, bIp, 8, 1, 1, new byte[8]));
        assertThat(bTun.take(Duration.ofSeconds(5))).isNotNull();
        aTun.inject(IcmpPackets.echo(aIp, InetAddress.getByName("10.99.0.1"), 8, 1, 2, new byte[8]));
        aTun.inject(IcmpPackets.echo(aIp, InetAddress.getByName("10.99.0.2"), 8, 1, 3, new byte[8]));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.drops().get(DropReason.NO_ROUTE) < 2 && System.nanoTime() < deadline) Thread.sleep(5);
        server = UapiServer.start("wgm0", new DeviceBackend(a), tmp);
    }

    @AfterEach
    void stop() {
        server.close();
        a.close();
        b.close();
        if (saved == null) System.clearProperty(UapiPaths.DIR_PROPERTY);
        else System.setProperty(UapiPaths.DIR_PROPERTY, saved);
    }

    static double value(Family f, Map<String, String> labels) {
        for (Sample s : f.samples()) if (s.labels().entrySet().containsAll(labels.entrySet())) return s.value();
        throw new AssertionError("no sample of " + f.name() + " with " + labels);
    }

    @Test
    void prometheusOutputIsValidAndCarriesTheCounters() {
        ShowCommandTest.Run r = ShowCommandTest.jwg("show", "wgm0", "--prometheus");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Family> fams = PrometheusTextFormat.parse(r.out());
        assertThat(fams.keySet()).contains("jwg_interface_info", "jwg_interface_peers", "jwg_dropped_packets_total",
                "jwg_peer_receive_bytes_total", "jwg_peer_transmit_bytes_total", "jwg_peer_latest_handshake_seconds",
                "jwg_peer_keypair_age_seconds", "jwg_peer_dropped_packets_total");
        assertThat(fams.get("jwg_dropped_packets_total").type()).isEqualTo("counter");
        assertThat(fams.get("jwg_peer_latest_handshake_seconds").type()).isEqualTo("gauge");
        for (Family f : fams.values()) assertThat(f.help()).as(f.name()).isNotBlank();
        assertThat(value(fams.get("jwg_dropped_packets_total"), Map.of("interface", "wgm0", "reason", "no_route"))).isEqualTo(2);
        assertThat(fams.get("jwg_dropped_packets_total").samples()).hasSize(DropReason.values().length);
        String pk = bKey.publicKey().toBase64();
        Map<String, String> peer = Map.of("interface", "wgm0", "public_key", pk, "endpoint", "192.0.2.2:51820");
        assertThat(value(fams.get("jwg_peer_receive_bytes_total"), peer)).isEqualTo(aSeesB.rxBytes()).isPositive();
        assertThat(value(fams.get("jwg_peer_transmit_bytes_total"), peer)).isEqualTo(aSeesB.txBytes()).isPositive();
        assertThat(value(fams.get("jwg_peer_latest_handshake_seconds"), peer))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(30.0));
        assertThat(value(fams.get("jwg_peer_keypair_age_seconds"), peer)).isBetween(0.0, 30.0);
        assertThat(fams.get("jwg_peer_keypair_age_seconds").samples()).hasSize(1); // the second peer has no session
        assertThat(value(fams.get("jwg_peer_dropped_packets_total"), Map.of("public_key", pk, "reason", "replay"))).isZero();
        assertThat(fams.get("jwg_peer_dropped_packets_total").samples()).allSatisfy(s -> assertThat(DropReason.ofKey(s.labels().get("reason")).peerLevel()).isTrue());
        assertThat(fams.get("jwg_peer_receive_bytes_total").samples()).anySatisfy(s -> assertThat(s.labels().get("endpoint")).isEmpty());
    }

    @Test
    void referenceParserAcceptsTheOutput() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "python3 is not installed");
        Process check = new ProcessBuilder(python.toString(), "-c", "import prometheus_client.parser").redirectErrorStream(true).start();
        Assumptions.assumeTrue(check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0,
                "python3-prometheus-client is not installed (scripts/test installs it)");
        String text = ShowCommandTest.jwg("show", "wgm0", "--prometheus").out();
        Path file = tmp.resolve("metrics.txt");
        Files.writeString(file, text);
        String script = """
                import sys
                from prometheus_client.parser import text_string_to_metric_families
                for f in text_string_to_metric_families(open(sys.argv[1]).read()):
                    for s in f.samples:
                        print(f.type, s.name, ",".join(k + "=" + v for k, v in sorted(s.labels.items())), s.value)
                """;
        Process p = new ProcessBuilder(python.toString(), "-c", script, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        long samples = text.lines().filter(l -> !l.startsWith("#")).count();
        assertThat(out.lines().count()).isEqualTo(samples);
        assertThat(out).contains("counter jwg_dropped_packets_total interface=wgm0,reason=no_route 2.0");
    }

    @Test
    void jsonCarriesDropsAndPlainWgOutputIsUntouched() throws Exception {
        String json = ShowCommandTest.jwg("show", "wgm0", "--json").out();
        assertThat(json).contains("\"drops\":{\"authentication\":0,\"replay\":0,\"source_not_allowed\":0,\"no_keypair\":0,"
                + "\"unknown_peer\":0,\"no_route\":2,\"malformed\":0}");
        assertThat(json).contains("\"keypair_age_seconds\":");
        DeviceSnapshot plain = UapiClient.in(tmp).get("wgm0");
        assertThat(plain.extensions()).isEmpty();
        assertThat(plain.peers()).allSatisfy(p -> assertThat(p.extensions()).isEmpty());
        DeviceSnapshot ext = UapiClient.in(tmp).getExtended("wgm0");
        assertThat(JwgExtensions.drops(ext.extensions())).containsEntry(DropReason.NO_ROUTE, 2L).hasSize(DropReason.values().length);
        assertThat(UapiProtocol.formatGet(ext)).isEqualTo(UapiProtocol.formatGet(plain)).doesNotContain("jwg_");
        assertThat(UapiProtocol.formatGet(ext, true)).contains("jwg_drop_no_route=2\n");
    }

    @Test
    void extensionRequestFormatOnTheWire() throws Exception {
        String reply = exchange(tmp.resolve("wgm0.sock"), "get=1\njwg_extensions=1\n\n");
        String device = reply.substring(0, reply.indexOf("public_key="));
        assertThat(device).contains("jwg_drop_no_route=2\n", "jwg_drop_malformed=0\n");
        assertThat(reply).contains("jwg_keypair_age_msec=").endsWith("errno=0\n\n");
        assertThat(exchange(tmp.resolve("wgm0.sock"), "get=1\njwg_other=1\n\n")).isEqualTo("errno=-22\n\n");
        assertThat(exchange(tmp.resolve("wgm0.sock"), "get=1\n\n")).doesNotContain("jwg_");
    }

    @Test
    void aServerWithoutTheExtensionGetsAPlainGet() throws Exception {
        // what wireguard-go does: errno=-22 and close for anything after get=1; a plain get works
        String plainReply = "listen_port=4000\npublic_key=" + "11".repeat(32) + "\nrx_bytes=5\ntx_bytes=6\nerrno=0\n\n";
        Path sock = tmp.resolve("wgold.sock");
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(sock));
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    try (SocketChannel c = ss.accept()) {
                        InputStream in = Channels.newInputStream(c);
                        StringBuilder req = new StringBuilder();
                        while (!req.toString().endsWith("\n\n") && !(req.toString().startsWith("get=1\n") && req.length() > 6 && req.charAt(6) != '\n')) {
                            int ch = in.read();
                            if (ch < 0) break;
                            req.append((char) ch);
                        }
                        OutputStream out = Channels.newOutputStream(c);
                        out.write((req.toString().equals("get=1\n\n") ? plainReply : "errno=-22\n\n").getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        try {
            ShowCommandTest.Run r = ShowCommandTest.jwg("show", "wgold", "--prometheus");
            assertThat(r.exitCode()).as(r.err()).isZero();
            Map<String, Family> fams = PrometheusTextFormat.parse(r.out());
            assertThat(fams).containsKey("jwg_peer_receive_bytes_total").doesNotContainKeys("jwg_dropped_packets_total", "jwg_peer_keypair_age_seconds");
            assertThat(ShowCommandTest.jwg("show", "wgold", "--json").out()).doesNotContain("drops");
        } finally {
            ss.close();
            t.interrupt();
        }
    }

    @Test
    void strictParserRejectsWhatTheFormatForbids() {
        assertThatThrownBy(() -> PrometheusTextFormat.parse("a{b=\"c} 1\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusTextFormat.parse("a{b=\"\\x\"} 1\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusTextFormat.parse("a 1\nb 1\na{x=\"1\"} 2\n")).hasMessageContaining("one group");
        assertThatThrownBy(() -> PrometheusTextFormat.parse("a 1\n# TYPE a counter\n")).hasMessageContaining("TYPE after");
        assertThatThrownBy(() -> PrometheusTextFormat.parse("# TYPE a counter\na -1\n")).hasMessageContaining("negative");
        assertThatThrownBy(() -> PrometheusTextFormat.parse("a 1")).hasMessageContaining("line feed");
        assertThat(PrometheusText.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
        assertThat(PrometheusTextFormat.parse("x{l=\"" + PrometheusText.escape("a\"b\\c\nd") + "\"} 1\n").get("x").samples().get(0).labels())
                .containsEntry("l", "a\"b\\c\nd");
    }

    static String exchange(Path sock, String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            Channels.newOutputStream(c).write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = Channels.newInputStream(c);
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\n\n")) {
                int ch = in.read();
                if (ch < 0) break;
                sb.append((char) ch);
            }
            return sb.toString();
        }
    }

    @Test
    void noSnapshotListIsAnEmptyExposition() {
        assertThat(PrometheusText.format(List.of())).isEmpty();
    }
}
