package io.jwg.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import io.jwg.uapi.DeviceSnapshot;
import io.jwg.uapi.PeerSnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WgTextTest {
    static final Key PRIV = Key.fromBase64("YGxRZk+0cB2XwSJwNpa/GA/6YgQ9BJoCaGCCJD1bvVI=");
    static final Key A = Key.fromBase64("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
    static final Key B = Key.fromBase64("TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=");
    static final Key PSK = Key.fromBase64("FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=");
    static final long NOW = 1_700_000_000L;

    static InetSocketAddress ep(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|''",
        "1|1 second",
        "2|2 seconds",
        "60|1 minute",
        "65|1 minute, 5 seconds",
        "3600|1 hour",
        "3661|1 hour, 1 minute, 1 second",
        "86400|1 day",
        "172800|2 days",
        "31536000|1 year",
        "31536001|1 year, 1 second",
        "63158461|2 years, 1 day, 1 minute, 1 second",
    })
    void prettyTime(long seconds, String text) {
        assertThat(WgText.prettyTime(seconds, false)).isEqualTo(text);
    }

    @Test
    void ago() {
        assertThat(WgText.ago(NOW, NOW, false)).isEqualTo("Now");
        assertThat(WgText.ago(NOW - 65, NOW, false)).isEqualTo("1 minute, 5 seconds ago");
        assertThat(WgText.ago(NOW + 1, NOW, false)).isEqualTo("(System clock wound backward; connection problems may ensue.)");
        assertThat(WgText.ago(NOW - 2, NOW, true)).isEqualTo("2 \u001b[36mseconds\u001b[0m ago");
        assertThat(WgText.every(25, false)).isEqualTo("every 25 seconds");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|0 B",
        "1023|1023 B",
        "1024|1.00 KiB",
        "1152|1.12 KiB",
        "1160|1.13 KiB",
        "1260|1.23 KiB",
        "4669|4.56 KiB",
        "1048575|1024.00 KiB",
        "1048576|1.00 MiB",
        "1073741824|1.00 GiB",
        "1099511627776|1.00 TiB",
        "1125899906842624|1024.00 TiB",
        "-1|16777216.00 TiB",
    })
    void bytes(long b, String text) {
        assertThat(WgText.bytes(b, false)).isEqualTo(text);
    }

    @Test
    void twoDecimalsRoundsLikePrintf() {
        assertThat(WgText.twoDecimals(0.125)).isEqualTo("0.12"); // exactly half: to even, as glibc
        assertThat(WgText.twoDecimals(0.375)).isEqualTo("0.38");
        assertThat(WgText.twoDecimals(2.675)).isEqualTo("2.67"); // 2.67499999... in binary
        assertThat(WgText.twoDecimals(1.005)).isEqualTo("1.00");
    }

    DeviceSnapshot device() throws Exception {
        PeerSnapshot a = new PeerSnapshot(A, PSK, ep("10.0.0.2", 51820), NOW - 65, 5, 1260, 4669, 25,
                List.of(IpPrefix.parse("10.9.0.2/32"), IpPrefix.parse("fd00::2/128")));
        PeerSnapshot b = new PeerSnapshot(B, null, null, 0, 0, 0, 0, 0, List.of());
        return new DeviceSnapshot(PRIV, 51820, 0x1234, List.of(b, a));
    }

    @Test
    void prettyWithoutColour() throws Exception {
        assertThat(WgText.pretty("wg0", device(), NOW, false, false)).isEqualTo("""
                interface: wg0
                  public key: %s
                  private key: (hidden)
                  listening port: 51820
                  fwmark: 0x1234

                peer: %s
                  preshared key: (hidden)
                  endpoint: 10.0.0.2:51820
                  allowed ips: 10.9.0.2/32, fd00::2/128
                  latest handshake: 1 minute, 5 seconds ago
                  transfer: 1.23 KiB received, 4.56 KiB sent
                  persistent keepalive: every 25 seconds

                peer: %s
                  allowed ips: (none)
                """.formatted(PRIV.publicKey().toBase64(), A.toBase64(), B.toBase64()));
    }

    @Test
    void prettyWithColourHasWgsEscapes() throws Exception {
        String s = WgText.pretty("wg0", device(), NOW, true, true);
        assertThat(s).startsWith("\u001b[0m\u001b[32m\u001b[1minterface\u001b[0m: \u001b[32mwg0\u001b[0m\n");
        assertThat(s).contains("  \u001b[1mprivate key\u001b[0m: " + PRIV.toBase64() + "\n");
        assertThat(s).contains("10.9.0.2\u001b[36m/\u001b[0m32, ");
        assertThat(WgText.stripColor(s)).isEqualTo(WgText.pretty("wg0", device(), NOW, false, true));
    }

    @Test
    void prettyOfAnEmptyInterface() {
        assertThat(WgText.pretty("wg1", new DeviceSnapshot(null, 0, 0, List.of()), NOW, false, false)).isEqualTo("interface: wg1\n");
    }

    @Test
    void dump() throws Exception {
        assertThat(WgText.dump("wg0", device(), false)).isEqualTo(
                PRIV.toBase64() + "\t" + PRIV.publicKey().toBase64() + "\t51820\t0x1234\n"
                        + B.toBase64() + "\t(none)\t(none)\t(none)\t0\t0\t0\toff\n"
                        + A.toBase64() + "\t" + PSK.toBase64() + "\t10.0.0.2:51820\t10.9.0.2/32,fd00::2/128\t" + (NOW - 65)
                        + "\t1260\t4669\t25\n");
        assertThat(WgText.dump("wg0", new DeviceSnapshot(null, 0, 0, List.of()), true)).isEqualTo("wg0\t(none)\t(none)\t0\toff\n");
    }

    @Test
    void fields() throws Exception {
        DeviceSnapshot d = device();
        String a = A.toBase64();
        String b = B.toBase64();
        assertThat(WgText.field("wg0", d, "public-key", false)).isEqualTo(PRIV.publicKey().toBase64() + "\n");
        assertThat(WgText.field("wg0", d, "private-key", true)).isEqualTo("wg0\t" + PRIV.toBase64() + "\n");
        assertThat(WgText.field("wg0", d, "listen-port", false)).isEqualTo("51820\n");
        assertThat(WgText.field("wg0", d, "fwmark", false)).isEqualTo("0x1234\n");
        assertThat(WgText.field("wg0", d, "peers", false)).isEqualTo(b + "\n" + a + "\n");
        assertThat(WgText.field("wg0", d, "preshared-keys", false)).isEqualTo(b + "\t(none)\n" + a + "\t" + PSK.toBase64() + "\n");
        assertThat(WgText.field("wg0", d, "endpoints", true)).isEqualTo("wg0\t" + b + "\t(none)\nwg0\t" + a + "\t10.0.0.2:51820\n");
        assertThat(WgText.field("wg0", d, "allowed-ips", false)).isEqualTo(b + "\t(none)\n" + a + "\t10.9.0.2/32 fd00::2/128\n");
        assertThat(WgText.field("wg0", d, "latest-handshakes", false)).isEqualTo(b + "\t0\n" + a + "\t" + (NOW - 65) + "\n");
        assertThat(WgText.field("wg0", d, "transfer", false)).isEqualTo(b + "\t0\t0\n" + a + "\t1260\t4669\n");
        assertThat(WgText.field("wg0", d, "persistent-keepalive", false)).isEqualTo(b + "\toff\n" + a + "\t25\n");
        assertThat(WgText.field("wg0", d, "dump", true)).isEqualTo(WgText.dump("wg0", d, true));
        assertThatThrownBy(() -> WgText.field("wg0", d, "bogus", false)).hasMessage("Invalid parameter: `bogus'");
        assertThat(WgText.field("wg0", new DeviceSnapshot(null, 0, 0, List.of()), "fwmark", false)).isEqualTo("off\n");
    }

    @Test
    void showconf() throws Exception {
        assertThat(WgText.showconf(device())).isEqualTo("""
                [Interface]
                ListenPort = 51820
                FwMark = 0x1234
                PrivateKey = %s

                [Peer]
                PublicKey = %s

                [Peer]
                PublicKey = %s
                PresharedKey = %s
                AllowedIPs = 10.9.0.2/32, fd00::2/128
                Endpoint = 10.0.0.2:51820
                PersistentKeepalive = 25
                """.formatted(PRIV.toBase64(), B.toBase64(), A.toBase64(), PSK.toBase64()));
        assertThat(WgText.showconf(new DeviceSnapshot(null, 0, 0, List.of()))).isEqualTo("[Interface]\n\n");
    }

    @Test
    void json() throws Exception {
        assertThat(WgText.json("wg0", device(), NOW)).isEqualTo(
                "{\"interface\":\"wg0\",\"public_key\":\"" + PRIV.publicKey().toBase64() + "\",\"listen_port\":51820,\"fwmark\":4660,"
                        + "\"peers\":[{\"public_key\":\"" + B.toBase64() + "\",\"preshared_key\":false,\"endpoint\":null,\"allowed_ips\":[],"
                        + "\"latest_handshake\":0,\"handshake_age_seconds\":null,\"rx_bytes\":0,\"tx_bytes\":0,\"persistent_keepalive\":0},"
                        + "{\"public_key\":\"" + A.toBase64() + "\",\"preshared_key\":true,\"endpoint\":\"10.0.0.2:51820\","
                        + "\"allowed_ips\":[\"10.9.0.2/32\",\"fd00::2/128\"],\"latest_handshake\":" + (NOW - 65)
                        + ",\"handshake_age_seconds\":65,\"rx_bytes\":1260,\"tx_bytes\":4669,\"persistent_keepalive\":25}]}");
        assertThat(WgText.json("wg0", device(), NOW)).doesNotContain(PRIV.toBase64()).doesNotContain(PSK.toBase64());
        assertThat(WgText.jsonString("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
    }

    @Test
    void ipv6Endpoint() throws Exception {
        PeerSnapshot p = new PeerSnapshot(A, null, ep("fd00::1", 51820), 0, 0, 0, 0, 0, List.of());
        assertThat(WgText.field("x", new DeviceSnapshot(null, 0, 0, List.of(p)), "endpoints", false))
                .isEqualTo(A.toBase64() + "\t[fd00::1]:51820\n");
    }
}
