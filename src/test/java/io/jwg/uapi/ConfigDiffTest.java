package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.Config;
import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ConfigDiff sends only what differs between a running interface and a file, as wg syncconf does. */
class ConfigDiffTest {
    final Key priv = Key.generatePrivate(), p1 = Key.generatePrivate().publicKey(), p2 = Key.generatePrivate().publicKey(),
            p3 = Key.generatePrivate().publicKey(), psk = Key.generatePreshared();

    PeerSnapshot running(Key k, String endpoint, int keepalive, String... allowed) throws Exception {
        InetSocketAddress ep = endpoint == null ? null
                : new InetSocketAddress(InetAddress.getByName(endpoint.split(":")[0]), Integer.parseInt(endpoint.split(":")[1]));
        return new PeerSnapshot(k, null, ep, 1, 0, 10, 10, keepalive, java.util.Arrays.stream(allowed).map(IpPrefix::parse).toList());
    }

    Config file(String peers) throws Exception {
        return Config.parse("[Interface]\nPrivateKey = " + priv.toBase64() + "\nListenPort = 51820\nAddress = 10.0.0.1/24\n" + peers, "t.conf");
    }

    @Test
    void identicalMeansNothingToDo() throws Exception {
        DeviceSnapshot now = new DeviceSnapshot(priv, 51820, 0, List.of(running(p1, "192.0.2.1:51820", 25, "10.0.1.0/24")));
        SetRequest r = ConfigDiff.diff(now, file("[Peer]\nPublicKey = " + p1.toBase64() + "\nEndpoint = 192.0.2.1:51820\n"
                + "PersistentKeepalive = 25\nAllowedIPs = 10.0.1.0/24\n"));
        assertThat(ConfigDiff.isEmpty(r)).as(r.toString()).isTrue();
    }

    @Test
    void onlyTheDifferencesAreSent() throws Exception {
        DeviceSnapshot now = new DeviceSnapshot(priv, 40000, 0, List.of(running(p1, "192.0.2.1:51820", 0, "10.0.1.0/24", "10.0.9.0/24"),
                running(p2, null, 0, "10.0.2.0/24")));
        SetRequest r = ConfigDiff.diff(now, file("[Peer]\nPublicKey = " + p1.toBase64() + "\nPresharedKey = " + psk.toBase64()
                + "\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 10.0.1.0/24, 10.0.3.0/24\n\n[Peer]\nPublicKey = " + p3.toBase64()
                + "\nAllowedIPs = 10.0.4.0/24\n"));
        assertThat(r.privateKey()).isEmpty();
        assertThat(r.listenPort()).hasValue(51820);
        assertThat(r.replacePeers()).isFalse();
        String wire = UapiProtocol.formatSet(r);
        assertThat(wire).isEqualTo("set=1\nlisten_port=51820\n"
                + "public_key=" + UapiProtocol.hex(p2) + "\nremove=true\n"
                + "public_key=" + UapiProtocol.hex(p1) + "\npreshared_key=" + UapiProtocol.hex(psk)
                + "\nallowed_ip=-10.0.9.0/24\nallowed_ip=10.0.3.0/24\n"
                + "public_key=" + UapiProtocol.hex(p3) + "\nallowed_ip=10.0.4.0/24\n\n");
    }
}
