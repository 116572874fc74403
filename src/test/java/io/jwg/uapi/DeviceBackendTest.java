package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.device.Device;
import io.jwg.net.MemoryUdp;
import io.jwg.noise.Clock;
import io.jwg.tun.MemoryTun;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UAPI over a real (not started) {@link Device} with in-memory TUN and UDP. */
@Timeout(30)
class DeviceBackendTest {
    @TempDir
    Path tmp;
    MemoryUdp.Network net;
    Device device;
    UapiServer server;
    Key priv;
    Key a;
    Key b;

    @BeforeEach
    void start() throws Exception {
        net = new MemoryUdp.Network();
        priv = Key.generatePrivate();
        a = Key.generatePrivate().publicKey();
        b = Key.generatePrivate().publicKey();
        device = new Device(null, new MemoryTun("t0"), port -> net.open("10.0.0.1", port), 0, 1420, Clock.SYSTEM);
        server = UapiServer.start("jwgd0", new DeviceBackend(device), tmp);
    }

    @AfterEach
    void stop() {
        server.close();
        device.close();
    }

    String request(String text) throws Exception {
        try (UapiServerTest.Conn c = new UapiServerTest.Conn(server.socketPath())) {
            return c.send(text).reply();
        }
    }

    String set(String lines) throws Exception {
        return request("set=1\n" + lines + "\n");
    }

    DeviceSnapshot get() throws Exception {
        return UapiProtocol.parseGet(request("get=1\n\n"));
    }

    static String hex(Key k) {
        return UapiProtocol.hex(k);
    }

    @Test
    void setThenGet() throws Exception {
        Key psk = Key.generatePreshared();
        assertThat(set("""
                private_key=%s
                listen_port=41000
                fwmark=4294967295
                public_key=%s
                preshared_key=%s
                endpoint=[fd00::9]:51820
                persistent_keepalive_interval=25
                replace_allowed_ips=true
                allowed_ip=10.9.0.1/24
                allowed_ip=fd00::1/64
                public_key=%s
                endpoint=10.0.0.2:7
                """.formatted(hex(priv), hex(a), hex(psk), hex(b)))).isEqualTo("errno=0\n\n");
        DeviceSnapshot d = get();
        assertThat(d.privateKey()).isEqualTo(priv);
        assertThat(d.listenPort()).isEqualTo(41000);
        assertThat(device.listenPort()).isEqualTo(41000);
        assertThat(d.fwmark()).isEqualTo(4294967295L);
        assertThat(d.peers()).hasSize(2);
        PeerSnapshot pa = d.peers().stream().filter(p -> p.publicKey().equals(a)).findFirst().orElseThrow();
        assertThat(pa.presharedKey()).isEqualTo(psk);
        assertThat(pa.endpoint()).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::9"), 51820));
        assertThat(pa.persistentKeepalive()).isEqualTo(25);
        assertThat(pa.allowedIps()).containsExactly(IpPrefix.parse("10.9.0.0/24"), IpPrefix.parse("fd00::/64"));
        assertThat(pa.lastHandshakeSeconds()).isZero();
        PeerSnapshot pb = d.peers().stream().filter(p -> p.publicKey().equals(b)).findFirst().orElseThrow();
        assertThat(pb.presharedKey()).isNull();
        assertThat(pb.endpoint()).isEqualTo(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 7));
        assertThat(pb.allowedIps()).isEmpty();
    }

    @Test
    void allowedIpChangesRemovalAndReplacement() throws Exception {
        set("public_key=%s\nallowed_ip=10.1.0.0/16\nallowed_ip=10.2.0.0/16\n".formatted(hex(a)));
        set("public_key=%s\nallowed_ip=-10.1.0.0/16\nallowed_ip=10.3.0.0/16\n".formatted(hex(a)));
        assertThat(get().peers().getFirst().allowedIps()).containsExactly(IpPrefix.parse("10.2.0.0/16"), IpPrefix.parse("10.3.0.0/16"));
        // an AllowedIP moves to the peer that claims it last, as in wg
        set("public_key=%s\nallowed_ip=10.3.0.0/16\n".formatted(hex(b)));
        assertThat(device.allowedIpsOf(device.peer(a))).hasSize(1);
        set("public_key=%s\nreplace_allowed_ips=true\nallowed_ip=192.168.0.0/24\n".formatted(hex(a)));
        assertThat(device.allowedIpsOf(device.peer(a))).hasSize(1);
        assertThat(IpPrefix.of(device.allowedIpsOf(device.peer(a)).getFirst().address(), 24)).isEqualTo(IpPrefix.parse("192.168.0.0/24"));
        set("public_key=%s\nremove=true\n".formatted(hex(a)));
        assertThat(device.peer(a)).isNull();
        assertThat(device.peers()).hasSize(1);
        set("replace_peers=true\n");
        assertThat(device.peers()).isEmpty();
    }

    @Test
    void updateOnlyNeverCreates() throws Exception {
        assertThat(set("public_key=%s\nupdate_only=true\nendpoint=10.0.0.2:1\n".formatted(hex(a)))).isEqualTo("errno=0\n\n");
        assertThat(device.peers()).isEmpty();
        set("public_key=%s\n".formatted(hex(a)));
        set("public_key=%s\nupdate_only=true\nendpoint=10.0.0.2:1\n".formatted(hex(a)));
        assertThat(device.peer(a).endpoint()).isNotNull();
    }

    @Test
    void ownPublicKeyIsIgnoredAndSettingItAsPrivateKeyRemovesThePeer() throws Exception {
        set("private_key=%s\npublic_key=%s\nallowed_ip=10.0.0.0/8\n".formatted(hex(priv), hex(priv.publicKey())));
        assertThat(device.peers()).isEmpty();
        Key other = Key.generatePrivate();
        set("public_key=%s\n".formatted(hex(other.publicKey())));
        assertThat(device.peers()).hasSize(1);
        assertThat(set("private_key=%s\n".formatted(hex(other)))).isEqualTo("errno=0\n\n");
        assertThat(device.peers()).isEmpty();
    }

    @Test
    void zeroKeysRemove() throws Exception {
        set("private_key=%s\npublic_key=%s\npreshared_key=%s\n".formatted(hex(priv), hex(a), hex(Key.generatePreshared())));
        set("private_key=%s\npublic_key=%s\npreshared_key=%s\n".formatted("0".repeat(64), hex(a), "0".repeat(64)));
        DeviceSnapshot d = get();
        assertThat(d.privateKey()).isNull();
        assertThat(d.peers().getFirst().presharedKey()).isNull();
        assertThat(UapiProtocol.formatGet(d)).doesNotContain("private_key");
    }

    @Test
    void portInUseIsEaddrinuse() throws Exception {
        try (MemoryUdp taken = net.open("10.0.0.1", 42000)) {
            assertThat(taken.port()).isEqualTo(42000);
            assertThat(set("listen_port=42000\n")).isEqualTo("errno=-98\n\n");
            assertThat(device.listenPort()).isNotEqualTo(42000);
        }
    }

    @Test
    void keepaliveOff() throws Exception {
        set("public_key=%s\npersistent_keepalive_interval=30\n".formatted(hex(a)));
        assertThat(device.peer(a).persistentKeepaliveSeconds()).isEqualTo(30);
        set("public_key=%s\npersistent_keepalive_interval=0\n".formatted(hex(a)));
        assertThat(get().peers().getFirst().persistentKeepalive()).isZero();
    }

    @Test
    void statisticsAppearInGet() throws Exception {
        set("public_key=%s\n".formatted(hex(a)));
        String text = request("get=1\n\n");
        assertThat(text).contains("last_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\n")
                .contains("protocol_version=1\n").endsWith("errno=0\n\n");
        assertThat(List.of(text.split("\n"))).doesNotContain("listen_port=0");
    }
}
