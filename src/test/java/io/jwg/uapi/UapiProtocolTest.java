package io.jwg.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.config.IpPrefix;
import io.jwg.crypto.Key;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UapiProtocolTest {
    static final Key PRIV = Key.of(filled(0x11));
    static final Key PUB1 = Key.of(filled(0xa1));
    static final Key PUB2 = Key.of(filled(0xb2));
    static final Key PSK = Key.of(filled(0x5c));
    static final String PUB1_HEX = "a1".repeat(32);
    static final String PUB2_HEX = "b2".repeat(32);

    static byte[] filled(int b) {
        byte[] a = new byte[32];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }

    static int errnoOf(String body) {
        try {
            UapiProtocol.parseSet(body);
            return 0;
        } catch (UapiException e) {
            return e.errno();
        }
    }

    // ---------------------------------------------------------------- get

    @Test
    void formatsGetLikeWireguardGo() throws Exception {
        PeerSnapshot p = new PeerSnapshot(PUB1, PSK, new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 51820),
                1_700_000_000L, 123_456_789L, 1000, 2000, 25,
                List.of(IpPrefix.parse("10.9.0.0/24"), IpPrefix.parse("fd00::1/128")));
        PeerSnapshot q = new PeerSnapshot(PUB2, null, null, 0, 0, -1L, 0, 0, List.of());
        DeviceSnapshot d = new DeviceSnapshot(PRIV, 51820, 0xffffffffL, List.of(p, q));
        assertThat(UapiProtocol.formatGet(d)).isEqualTo("""
                private_key=%s
                listen_port=51820
                fwmark=4294967295
                public_key=%s
                preshared_key=%s
                protocol_version=1
                endpoint=10.0.0.2:51820
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=123456789
                tx_bytes=2000
                rx_bytes=1000
                persistent_keepalive_interval=25
                allowed_ip=10.9.0.0/24
                allowed_ip=fd00::1/128
                public_key=%s
                preshared_key=%s
                protocol_version=1
                last_handshake_time_sec=0
                last_handshake_time_nsec=0
                tx_bytes=0
                rx_bytes=18446744073709551615
                persistent_keepalive_interval=0
                """.formatted("11".repeat(32), PUB1_HEX, "5c".repeat(32), PUB2_HEX, "00".repeat(32)));
    }

    @Test
    void getLeavesOutUnsetInterfaceValues() {
        assertThat(UapiProtocol.formatGet(new DeviceSnapshot(null, 0, 0, List.of()))).isEmpty();
        assertThat(UapiProtocol.formatGet(new DeviceSnapshot(Key.of(new byte[32]), 0, 0, List.of()))).isEmpty();
    }

    @Test
    void getMasksHostBitsOfAllowedIps() {
        PeerSnapshot p = new PeerSnapshot(PUB1, null, null, 0, 0, 0, 0, 0, List.of(IpPrefix.parse("10.1.2.3/8")));
        assertThat(UapiProtocol.formatGet(new DeviceSnapshot(null, 0, 0, List.of(p)))).contains("allowed_ip=10.0.0.0/8\n");
    }

    @Test
    void errnoLines() {
        assertThat(UapiProtocol.formatErrno(0)).isEqualTo("errno=0\n\n");
        assertThat(UapiProtocol.formatErrno(Errno.EINVAL)).isEqualTo("errno=-22\n\n");
        assertThat(UapiProtocol.formatErrno(-Errno.EPROTO)).isEqualTo("errno=-71\n\n");
    }

    @Test
    void getRoundTripsThroughTheClientParser() throws Exception {
        PeerSnapshot p = new PeerSnapshot(PUB1, PSK, new InetSocketAddress(InetAddress.getByName("fd00::2"), 1),
                5, 6, 7, 8, 9, List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("::/0")));
        DeviceSnapshot d = new DeviceSnapshot(PRIV, 1, 2, List.of(p, new PeerSnapshot(PUB2, null, null, 0, 0, 0, 0, 0, List.of())));
        DeviceSnapshot back = UapiProtocol.parseGet(UapiProtocol.formatGet(d) + UapiProtocol.formatErrno(0));
        assertThat(back).isEqualTo(d);
    }

    @Test
    void clientParserReportsTheDevicesErrno() {
        assertThatThrownBy(() -> UapiProtocol.parseGet("errno=-22\n\n"))
                .isInstanceOfSatisfying(UapiException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThatThrownBy(() -> UapiProtocol.parseGet("listen_port=1\n\n"))
                .isInstanceOfSatisfying(UapiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPROTO));
        assertThatThrownBy(() -> UapiProtocol.parseGet("listen_port=1\nerrno=0\n"))
                .isInstanceOfSatisfying(UapiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPROTO));
        assertThatThrownBy(() -> UapiProtocol.parseGet("listen_port=x\nerrno=0\n\n"))
                .isInstanceOfSatisfying(UapiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPROTO));
        assertThatThrownBy(() -> UapiProtocol.parseGet("garbage\nerrno=0\n\n"))
                .isInstanceOfSatisfying(UapiException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EPROTO));
    }

    @Test
    void clientParserIgnoresUnknownKeysAndTakesWireguardGoForms() throws Exception {
        DeviceSnapshot d = UapiProtocol.parseGet("""
                listen_port=7
                something_new=1
                public_key=%s
                protocol_version=1
                endpoint=[fe80::1%%1]:51820
                allowed_ip=10.1.2.3/8
                future_key=x
                listen_port=9
                errno=0

                """.formatted(PUB1_HEX));
        assertThat(d.listenPort()).isEqualTo(7);
        PeerSnapshot p = d.peers().getFirst();
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.1.2.3/8"));
        assertThat(((Inet6Address) p.endpoint().getAddress()).getScopeId()).isEqualTo(1);
        assertThat(p.endpoint().getPort()).isEqualTo(51820);
    }

    // ---------------------------------------------------------------- set: values

    @Test
    void parsesEveryKey() throws Exception {
        SetRequest r = UapiProtocol.parseSet("""
                private_key=%s
                listen_port=51820
                fwmark=4294967295
                replace_peers=true
                public_key=%s
                protocol_version=1
                update_only=true
                preshared_key=%s
                endpoint=[fd00::1]:51820
                persistent_keepalive_interval=65535
                replace_allowed_ips=true
                allowed_ip=10.0.0.1/24
                allowed_ip=-fd00::/64
                public_key=%s
                remove=true

                """.formatted("11".repeat(32), PUB1_HEX, "5c".repeat(32), PUB2_HEX));
        assertThat(r.privateKey()).isPresent();
        assertThat(r.listenPort()).hasValue(51820);
        assertThat(r.fwmark()).hasValue(0xffffffffL);
        assertThat(r.replacePeers()).isTrue();
        assertThat(r.peers()).hasSize(2);
        SetRequest.PeerUpdate a = r.peers().get(0);
        assertThat(a.publicKey()).isEqualTo(PUB1);
        assertThat(a.updateOnly()).isTrue();
        assertThat(a.remove()).isFalse();
        assertThat(a.presharedKey()).contains(PSK);
        assertThat(a.endpoint()).contains(new InetSocketAddress(InetAddress.getByName("fd00::1"), 51820));
        assertThat(a.persistentKeepalive()).hasValue(65535);
        assertThat(a.replaceAllowedIps()).isTrue();
        assertThat(a.protocolVersion()).hasValue(1);
        assertThat(a.allowedIps()).containsExactly(
                new SetRequest.AllowedIpChange(IpPrefix.parse("10.0.0.1/24"), false),
                new SetRequest.AllowedIpChange(IpPrefix.parse("fd00::/64"), true));
        assertThat(r.peers().get(1)).isEqualTo(SetRequest.PeerUpdate.removal(PUB2));
    }

    @Test
    void privateKeyIsClampedButZeroMeansRemove() throws Exception {
        SetRequest r = UapiProtocol.parseSet("private_key=" + "ff".repeat(32) + "\n");
        byte[] b = r.privateKey().orElseThrow().bytes();
        assertThat(b[0] & 0xff).isEqualTo(0xf8);
        assertThat(b[31] & 0xff).isEqualTo(0x7f);
        SetRequest zero = UapiProtocol.parseSet("private_key=" + "00".repeat(32) + "\n");
        assertThat(zero.privateKey().orElseThrow().isZero()).isTrue();
        SetRequest zeroPsk = UapiProtocol.parseSet("public_key=" + PUB1_HEX + "\npreshared_key=" + "0".repeat(64) + "\n");
        assertThat(zeroPsk.peers().getFirst().presharedKey().orElseThrow().isZero()).isTrue();
    }

    @Test
    void upperCaseHexIsAcceptedAsGoDoes() throws Exception {
        SetRequest r = UapiProtocol.parseSet("public_key=" + PUB1_HEX.toUpperCase() + "\n");
        assertThat(r.peers().getFirst().publicKey()).isEqualTo(PUB1);
    }

    @Test
    void crLfLinesAreAccepted() throws Exception {
        SetRequest r = UapiProtocol.parseSet("listen_port=5\r\npublic_key=" + PUB1_HEX + "\r\n\r\n");
        assertThat(r.listenPort()).hasValue(5);
        assertThat(r.peers()).hasSize(1);
    }

    @Test
    void parsingStopsAtTheBlankLine() throws Exception {
        SetRequest r = UapiProtocol.parseSet("listen_port=5\n\nthis is not parsed\n");
        assertThat(r.listenPort()).hasValue(5);
        assertThat(UapiProtocol.parseSet("")).isEqualTo(SetRequest.empty());
        assertThat(UapiProtocol.parseSet("\n")).isEqualTo(SetRequest.empty());
    }

    @Test
    void numbersAsGoParseUint() throws Exception {
        assertThat(UapiProtocol.parseSet("listen_port=0\n").listenPort()).hasValue(0);
        assertThat(UapiProtocol.parseSet("listen_port=00051820\n").listenPort()).hasValue(51820);
        assertThat(UapiProtocol.parseSet("fwmark=0\n").fwmark()).hasValue(0);
        assertThat(errnoOf("listen_port=65536\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("listen_port=-1\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("listen_port=+1\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("listen_port= 1\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("listen_port=0x10\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("listen_port=\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("fwmark=4294967296\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("fwmark=99999999999999999999999\n")).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf("public_key=" + PUB1_HEX + "\npersistent_keepalive_interval=65536\n")).isEqualTo(Errno.EINVAL);
    }

    // ---------------------------------------------------------------- set: malformed input

    @ParameterizedTest
    @ValueSource(strings = {"listen_port", "garbage", " ", "private_key", "set=1 extra"})
    void aLineWithoutEqualsIsEproto(String line) {
        assertThat(errnoOf(line + "\n")).isEqualTo(line.contains("=") ? Errno.EINVAL : Errno.EPROTO);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // unknown keys and keys in the wrong section
        "bogus=1|22",
        "=1|22",
        "LISTEN_PORT=1|22",
        "protocol_version=1|22",
        "endpoint=1.2.3.4:5|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nlisten_port=1|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nprivate_key=00|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nbogus=1|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nnoequals|71",
        // booleans must be exactly true
        "replace_peers=false|22",
        "replace_peers=TRUE|22",
        "replace_peers=|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nremove=yes|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nupdate_only=1|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nreplace_allowed_ips=false|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\nprotocol_version=2|22",
        // bad hex keys
        "private_key=|22",
        "private_key=00|22",
        "private_key=" + "zz00000000000000000000000000000000000000000000000000000000000000" + "|22",
        "private_key=" + "000000000000000000000000000000000000000000000000000000000000000" + "|22",
        "private_key=" + "00000000000000000000000000000000000000000000000000000000000000000" + "|22",
        "'private_key=0000000000000000000000000000000000000000000000000000000000000000 '|22",
        "public_key=|22",
        "public_key=" + "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=" + "|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\npreshared_key=abc|22",
        "public_key=" + "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1" + "\\npreshared_key=|22",
    })
    void malformedRequests(String body, int errno) {
        assertThat(errnoOf(body.replace("\\n", "\n") + "\n")).isEqualTo(errno);
    }

    @Test
    void validationContinuesAfterRemove() {
        // wireguard-go still parses the lines after remove=true (and fails on bad ones)
        assertThat(errnoOf("public_key=" + PUB1_HEX + "\nremove=true\nallowed_ip=bad\n")).isEqualTo(Errno.EINVAL);
    }

    @Test
    void aTooLongLineIsEio() {
        assertThat(errnoOf("listen_port=" + "1".repeat(UapiProtocol.MAX_LINE))).isEqualTo(Errno.EIO);
    }

    // ---------------------------------------------------------------- endpoints

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.2.3.4:51820|1.2.3.4|51820",
        "1.2.3.4:0|1.2.3.4|0",
        "1.2.3.4:065535|1.2.3.4|65535",
        "[fd00::1]:51820|fd00:0:0:0:0:0:0:1|51820",
        "[FD00:0::1]:1|fd00:0:0:0:0:0:0:1|1",
        "[::]:1|0:0:0:0:0:0:0:0|1",
        "[::ffff:1.2.3.4]:1|::ffff:1.2.3.4|1",
    })
    void parsesEndpoints(String text, String host, int port) throws Exception {
        InetSocketAddress a = UapiProtocol.parseEndpoint(text);
        assertThat(a.getPort()).isEqualTo(port);
        if (host.startsWith("::ffff:")) {
            assertThat(a.getAddress().getAddress()).hasSize(16);
        } else {
            assertThat(a.getAddress().getHostAddress()).isEqualTo(host);
        }
    }

    @Test
    void endpointWithNumericZone() throws Exception {
        InetSocketAddress a = UapiProtocol.parseEndpoint("[fe80::1%1]:51820");
        assertThat(((Inet6Address) a.getAddress()).getScopeId()).isEqualTo(1);
        assertThat(UapiProtocol.formatEndpoint(a)).isIn("[fe80::1%1]:51820", "[fe80::1%lo]:51820");
        InetSocketAddress lo = UapiProtocol.parseEndpoint("[fe80::1%lo]:51820");
        assertThat(UapiProtocol.formatEndpoint(lo)).isEqualTo("[fe80::1%lo]:51820");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "1.2.3.4", "1.2.3.4:", ":51820", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+1", "1.2.3.4:http",
        "fd00::1:51820", "[fd00::1]", "[fd00::1]51820", "[fd00::1:51820", "[1.2.3.4]:51820", "1.2.3.4%eth0:1",
        "[fe80::1%]:1", "[fe80::1%nosuchif0]:1", "example.com:51820", "01.2.3.4:1", "1.2.3:1", "[fd00::1::2]:1",
        "[fd00::g]:1", " 1.2.3.4:1", "1.2.3.4:1 ",
    })
    void rejectsBadEndpoints(String text) {
        assertThat(errnoOf("public_key=" + PUB1_HEX + "\nendpoint=" + text + "\n")).isEqualTo(Errno.EINVAL);
    }

    @Test
    void formatsEndpointsAsGo() throws Exception {
        assertThat(UapiProtocol.formatEndpoint(new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 5))).isEqualTo("10.0.0.1:5");
        assertThat(UapiProtocol.formatEndpoint(new InetSocketAddress(InetAddress.getByName("fd00:0:0::1"), 5))).isEqualTo("[fd00::1]:5");
        assertThat(UapiProtocol.formatEndpoint(UapiProtocol.parseEndpoint("[::ffff:10.0.0.1]:5"))).isEqualTo("[::ffff:10.0.0.1]:5");
    }

    // ---------------------------------------------------------------- allowed ips

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1/24|10.0.0.1/24",
        "10.0.0.0/8|10.0.0.0/8",
        "0.0.0.0/0|0.0.0.0/0",
        "1.2.3.4/32|1.2.3.4/32",
        "fd00::1/64|fd00::1/64",
        "::/0|::/0",
        "FD00::/8|fd00::/8",
        "::ffff:1.2.3.4/128|::ffff:1.2.3.4/128",
    })
    void parsesAllowedIpsKeepingHostBits(String text, String printed) throws Exception {
        SetRequest r = UapiProtocol.parseSet("public_key=" + PUB1_HEX + "\nallowed_ip=" + text + "\n");
        IpPrefix p = r.peers().getFirst().allowedIps().getFirst().prefix();
        assertThat(p).hasToString(printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "fd00::/129", "10.0.0.1/024", "10.0.0.1/+24", "10.0.0.1/-1",
        "10.0.0.1/2 4", "10.0.0.256/32", "fe80::1%eth0/64", "example.com/32", "--10.0.0.0/8", "10.0.0.0/8 ", "/8",
    })
    void rejectsBadAllowedIps(String text) {
        assertThat(errnoOf("public_key=" + PUB1_HEX + "\nallowed_ip=" + text + "\n")).isEqualTo(Errno.EINVAL);
    }

    // ---------------------------------------------------------------- normalisation of order

    @Test
    void replaceAllowedIpsDropsTheChangesBeforeIt() throws Exception {
        SetRequest r = UapiProtocol.parseSet("public_key=%s\nallowed_ip=1.0.0.0/8\nreplace_allowed_ips=true\nallowed_ip=2.0.0.0/8\n"
                .formatted(PUB1_HEX));
        assertThat(r.peers().getFirst().replaceAllowedIps()).isTrue();
        assertThat(r.peers().getFirst().allowedIps()).containsExactly(SetRequest.AllowedIpChange.add(IpPrefix.parse("2.0.0.0/8")));
    }

    @Test
    void removeWinsOverEverythingInItsSection() throws Exception {
        SetRequest r = UapiProtocol.parseSet("public_key=%s\nendpoint=1.2.3.4:5\nremove=true\nallowed_ip=2.0.0.0/8\n".formatted(PUB1_HEX));
        assertThat(r.peers()).containsExactly(SetRequest.PeerUpdate.removal(PUB1));
    }

    @Test
    void lastValueWins() throws Exception {
        SetRequest r = UapiProtocol.parseSet("listen_port=1\nlisten_port=2\npublic_key=%s\npersistent_keepalive_interval=5\npersistent_keepalive_interval=0\n"
                .formatted(PUB1_HEX));
        assertThat(r.listenPort()).hasValue(2);
        assertThat(r.peers().getFirst().persistentKeepalive()).hasValue(0);
    }

    @Test
    void theSamePeerTwiceGivesTwoSections() throws Exception {
        SetRequest r = UapiProtocol.parseSet("public_key=%s\nremove=true\npublic_key=%s\nallowed_ip=1.0.0.0/8\n".formatted(PUB1_HEX, PUB1_HEX));
        assertThat(r.peers()).hasSize(2);
        assertThat(r.peers().get(0).remove()).isTrue();
        assertThat(r.peers().get(1).allowedIps()).hasSize(1);
    }

    // ---------------------------------------------------------------- set: client side

    @Test
    void formatSetWritesWhatWgWritesAndParsesBack() throws Exception {
        SetRequest r = new SetRequest(Optional.of(PRIV), OptionalInt.of(51820), OptionalLong.of(7), true, List.of(
                new SetRequest.PeerUpdate(PUB1, false, false, Optional.of(PSK),
                        Optional.of(new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 1)), OptionalInt.of(25), true,
                        List.of(SetRequest.AllowedIpChange.add(IpPrefix.parse("10.9.0.0/24")),
                                new SetRequest.AllowedIpChange(IpPrefix.parse("fd00::/8"), true)), OptionalInt.empty()),
                SetRequest.PeerUpdate.removal(PUB2)));
        String text = UapiProtocol.formatSet(r);
        assertThat(text).isEqualTo("""
                set=1
                private_key=%s
                listen_port=51820
                fwmark=7
                replace_peers=true
                public_key=%s
                preshared_key=%s
                endpoint=10.0.0.2:1
                persistent_keepalive_interval=25
                replace_allowed_ips=true
                allowed_ip=10.9.0.0/24
                allowed_ip=-fd00::/8
                public_key=%s
                remove=true

                """.formatted(UapiProtocol.hex(PRIV), PUB1_HEX, "5c".repeat(32), PUB2_HEX));
        SetRequest back = UapiProtocol.parseSet(text.substring("set=1\n".length()));
        // the private key comes back clamped
        assertThat(back.peers()).isEqualTo(r.peers());
        assertThat(back.listenPort()).isEqualTo(r.listenPort());
        assertThat(back.fwmark()).isEqualTo(r.fwmark());
        assertThat(back.privateKey().orElseThrow()).isEqualTo(UapiProtocol.clamp(PRIV));
    }

    @Test
    void hexIsLowerCase() {
        assertThat(UapiProtocol.hex(Key.of(filled(0xAB)))).isEqualTo("ab".repeat(32));
    }

    @Test
    void messagesNeverContainKeyMaterial() {
        String secret = "5c".repeat(31) + "zz";
        assertThatThrownBy(() -> UapiProtocol.parseSet("private_key=" + secret + "\n")).hasMessageNotContaining("5c5c");
        assertThat(new SetRequest(Optional.of(PRIV), OptionalInt.empty(), OptionalLong.empty(), false, List.of()).toString())
                .doesNotContain(PRIV.toBase64());
    }
}
