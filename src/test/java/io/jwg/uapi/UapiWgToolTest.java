package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.cli.Main;
import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.testing.Netns;
import io.jwg.testing.WireguardGo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The stock {@code wg} tool against a {@link UapiServer} with a recording backend: what wg sends
 * arrives as the expected {@link SetRequest}, and what jwg show prints equals what wg show prints.
 * The socket is in /var/run/wireguard (the only place wg looks) under a unique name; wg runs in a
 * throw-away network namespace (it touches no network, but its netlink lookups stay there).
 */
@Timeout(60)
class UapiWgToolTest {
    static final AtomicInteger COUNTER = new AtomicInteger();

    @TempDir
    Path tmp;
    Netns ns;
    String name;
    FakeBackend backend;
    UapiServer server;

    record Run(int exitCode, String out, String err) {}

    static Run jwg(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void start() throws Exception {
        Netns.assumeRoot();
        WireguardGo.assumeInstalled();
        name = "jwgu" + (ProcessHandle.current().pid() % 100000) + "x" + COUNTER.incrementAndGet();
        ns = Netns.create("wgtool");
        backend = new FakeBackend();
        server = UapiServer.start(name, backend, UapiPaths.DEFAULT_DIR);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        if (ns != null) ns.close();
        if (name != null) Files.deleteIfExists(UapiPaths.DEFAULT_DIR.resolve(name + ".sock"));
    }

    String wg(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "wg";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return ns.run(cmd);
    }

    Path keyFile(Key k) throws Exception {
        Path f = Files.createTempFile(tmp, "key", "");
        Files.writeString(f, k.toBase64() + "\n");
        return f;
    }

    @Test
    void wgSetArrivesAsTheRequest() throws Exception {
        Key priv = Key.generatePrivate();
        Key peer = Key.generatePrivate().publicKey();
        Key psk = Key.generatePreshared();
        wg("set", name, "listen-port", "51999", "fwmark", "0x10", "private-key", keyFile(priv).toString(),
                "peer", peer.toBase64(), "preshared-key", keyFile(psk).toString(), "endpoint", "10.0.0.5:51820",
                "persistent-keepalive", "25", "allowed-ips", "10.9.0.0/24,fd00::/64");
        assertThat(backend.applied).hasSize(1);
        SetRequest r = backend.applied.getFirst();
        assertThat(r.privateKey()).contains(UapiProtocol.clamp(priv));
        assertThat(r.listenPort()).hasValue(51999);
        assertThat(r.fwmark()).hasValue(16);
        assertThat(r.replacePeers()).isFalse();
        assertThat(r.peers()).containsExactly(new SetRequest.PeerUpdate(peer, false, false, Optional.of(psk),
                Optional.of(new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 51820)), OptionalInt.of(25), true,
                List.of(SetRequest.AllowedIpChange.add(IpPrefix.parse("10.9.0.0/24")), SetRequest.AllowedIpChange.add(IpPrefix.parse("fd00::/64"))),
                OptionalInt.empty()));

        wg("set", name, "peer", peer.toBase64(), "remove");
        assertThat(backend.applied.get(1).peers()).containsExactly(SetRequest.PeerUpdate.removal(peer));

        wg("set", name, "private-key", "/dev/null", "peer", peer.toBase64(), "endpoint", "[fd00::1]:1", "persistent-keepalive", "off");
        SetRequest z = backend.applied.get(2);
        assertThat(z.privateKey().orElseThrow().isZero()).isTrue();
        assertThat(z.peers().getFirst().endpoint()).contains(new InetSocketAddress(InetAddress.getByName("fd00::1"), 1));
        assertThat(z.peers().getFirst().persistentKeepalive()).hasValue(0);
    }

    @Test
    void wgSetconfReplacesEverything() throws Exception {
        Key priv = Key.generatePrivate();
        Key a = Key.generatePrivate().publicKey();
        Key b = Key.generatePrivate().publicKey();
        Path conf = tmp.resolve("c.conf");
        Files.writeString(conf, """
                [Interface]
                PrivateKey = %s
                ListenPort = 51820

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.1.0.0/16, 10.2.0.1/32
                Endpoint = [fd00::1]:51820

                [Peer]
                PublicKey = %s
                """.formatted(priv.toBase64(), a.toBase64(), b.toBase64()));
        wg("setconf", name, conf.toString());
        SetRequest r = backend.applied.getFirst();
        assertThat(r.replacePeers()).isTrue();
        assertThat(r.privateKey()).contains(UapiProtocol.clamp(priv));
        assertThat(r.listenPort()).hasValue(51820);
        assertThat(r.peers()).hasSize(2);
        assertThat(r.peers().get(0).publicKey()).isEqualTo(a);
        assertThat(r.peers().get(0).replaceAllowedIps()).isTrue();
        assertThat(r.peers().get(0).allowedIps()).extracting(SetRequest.AllowedIpChange::prefix)
                .containsExactly(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.1/32"));
        assertThat(r.peers().get(1).publicKey()).isEqualTo(b);
        assertThat(r.peers().get(1).allowedIps()).isEmpty();
    }

    @Test
    void wgSetconfThenShowconfOnAJwgDevice() throws Exception {
        server.close();
        io.jwg.net.MemoryUdp.Network net = new io.jwg.net.MemoryUdp.Network();
        try (io.jwg.device.Device device = new io.jwg.device.Device(null, new io.jwg.tun.MemoryTun("t"),
                port -> net.open("10.0.0.1", port), 0, 1420, io.jwg.noise.Clock.SYSTEM);
                UapiServer s = UapiServer.start(name, new DeviceBackend(device), UapiPaths.DEFAULT_DIR)) {
            String conf = """
                    [Interface]
                    ListenPort = 43210
                    FwMark = 0x20
                    PrivateKey = %s

                    [Peer]
                    PublicKey = %s
                    PresharedKey = %s
                    AllowedIPs = 10.1.0.0/16, fd00::/64, 10.2.3.4/32
                    Endpoint = [fd00::1]:51820
                    PersistentKeepalive = 25
                    """.formatted(Key.generatePrivate().toBase64(), Key.generatePrivate().publicKey().toBase64(),
                    Key.generatePreshared().toBase64());
            assertThat(s.socketPath()).isEqualTo(UapiPaths.DEFAULT_DIR.resolve(name + ".sock"));
            Path file = tmp.resolve("d.conf");
            Files.writeString(file, conf);
            wg("setconf", name, file.toString());
            assertThat(wg("showconf", name)).isEqualTo(conf);
            assertThat(jwg("showconf", name).out()).isEqualTo(conf);
            assertThat(jwg("show", name, "dump").out()).isEqualTo(wg("show", name, "dump"));
            assertThat(device.listenPort()).isEqualTo(43210);
            assertThat(device.fwmark()).isEqualTo(0x20);
            wg("set", name, "peer", Key.generatePrivate().publicKey().toBase64(), "allowed-ips", "10.2.3.4/32");
            assertThat(device.peers()).hasSize(2);
            assertThat(wg("show", name, "allowed-ips")).contains("\t10.1.0.0/16 fd00::/64\n");
        }
    }

    @Test
    void wgReportsTheDevicesErrno() {
        backend.failApply = new UapiException(Errno.EADDRINUSE, "port in use");
        Netns.Result r = ns.exec("wg", "set", name, "listen-port", "1");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Address already in use");
    }

    @Test
    void jwgShowPrintsWhatWgShowPrints() throws Exception {
        Key priv = Key.generatePrivate();
        Key a = Key.generatePrivate().publicKey();
        Key b = Key.generatePrivate().publicKey();
        Key c = Key.generatePrivate().publicKey();
        long now = System.currentTimeMillis() / 1000;
        backend.snapshot = new DeviceSnapshot(priv, 51820, 0xca6c, List.of(
                new PeerSnapshot(a, Key.generatePreshared(), new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820),
                        now - 3 * 86400 - 65, 500, 1152, 5L << 30, 25, List.of(IpPrefix.parse("10.9.0.2/32"), IpPrefix.parse("fd00::2/128"))),
                new PeerSnapshot(b, null, new InetSocketAddress(InetAddress.getByName("fd00::1:2"), 1), now - 10, 0, 1023, 1L << 41, 0,
                        List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("::/0"))),
                new PeerSnapshot(c, null, null, 0, 0, 0, 0, 65535, List.of())));
        for (String field : io.jwg.cli.WgText.FIELDS) {
            assertThat(jwg("show", name, field).out()).as(field).isEqualTo(wg("show", name, field));
        }
        assertThat(jwg("showconf", name).out()).isEqualTo(wg("showconf", name));
        // the pretty form has "N seconds ago": compare again if the second turned in between
        String pretty = wg("show", name);
        String mine = jwg("show", name).out();
        if (!mine.equals(pretty)) {
            pretty = wg("show", name);
            mine = jwg("show", name).out();
        }
        assertThat(mine).isEqualTo(pretty);
        assertThat(mine).contains("latest handshake: 3 days, 1 minute, ").contains("transfer: 1.12 KiB received, 5.00 GiB sent");
        assertThat(ns.run("env", "WG_HIDE_KEYS=never", "wg", "show", name)).contains(priv.toBase64());
        assertThat(jwg("show", name, "bogus").exitCode()).isEqualTo(ns.exec("wg", "show", name, "bogus").exitCode());
        assertThat(wg("show", "interfaces")).contains(name);
    }
}
