package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.crypto.Key;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    // Made with wg genkey / wg pubkey / wg genpsk.
    static final String PRIV1 = "QPWxeXU0CR5quFfWeG9aZzMdVm86iMewkR+jD6jUUlo=";
    static final String PUB1 = "kDdQH9LOuSXpefLKluh16Eh2gCwSE1+FYrT2LLzDZX0=";
    static final String PRIV2 = "sFvjPe2N/DqAKGdZlierugpPo3AoJMhhi6wzWl0A5k8=";
    static final String PUB2 = "pBF9iyUaoM7RVpt/zQW9Bikzw9ZKQ86j1Dm6u9WKfHU=";
    static final String PUB3 = "bjZyoFe3JnJPGARHO8exFVJQLcrEcYJFobPnuWz37zo=";
    static final String PSK = "d6j6lLg+dyiY17CMukRm5z1l4tmUbPeF3gp/Tcp1kSM=";

    static final String IFACE = "[Interface]\nPrivateKey = " + PRIV1 + "\n";

    static Config parse(String text) throws ConfigException {
        return Config.parse(text, "wg0.conf");
    }

    static InterfaceConfig iface(String extraLines) throws ConfigException {
        return parse(IFACE + extraLines).interfaceConfig();
    }

    static PeerConfig peer(String lines) throws ConfigException {
        Config c = parse(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n" + lines);
        assertThat(c.peers()).hasSize(1);
        return c.peers().getFirst();
    }

    static String error(String text) {
        try {
            parse(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(PRIV1).doesNotContain(PSK);
            return e.getMessage();
        }
        throw new AssertionError("parsed without error:\n" + text);
    }

    static InetAddress ip(String s) {
        return InetAddresses.parseLiteral(s);
    }

    // ---- keys ----

    @Test
    void minimalInterfaceHasDefaults() throws Exception {
        Config c = parse(IFACE);
        InterfaceConfig i = c.interfaceConfig();
        assertThat(i.privateKey()).isEqualTo(Key.fromBase64(PRIV1));
        assertThat(i.privateKey().publicKey()).isEqualTo(Key.fromBase64(PUB1));
        assertThat(i.listenPort()).isEmpty();
        assertThat(i.fwMark()).isEmpty();
        assertThat(i.addresses()).isEmpty();
        assertThat(i.dnsServers()).isEmpty();
        assertThat(i.dnsSearchDomains()).isEmpty();
        assertThat(i.mtu()).isEmpty();
        assertThat(i.table()).isEqualTo(RouteTable.AUTO);
        assertThat(i.preUp()).isEmpty();
        assertThat(i.postUp()).isEmpty();
        assertThat(i.preDown()).isEmpty();
        assertThat(i.postDown()).isEmpty();
        assertThat(i.saveConfig()).isFalse();
        assertThat(c.peers()).isEmpty();
    }

    @Test
    void everyInterfaceKey() throws Exception {
        InterfaceConfig i = iface("""
                ListenPort = 51820
                FwMark = 0x1234
                Address = 10.0.0.1/24, fd00::1/64
                DNS = 1.1.1.1, 2606:4700:4700::1111, example.com
                MTU = 1420
                Table = 1234
                PreUp = echo pre-up %i
                PostUp = echo post-up %i
                PreDown = echo pre-down %i
                PostDown = echo post-down %i
                SaveConfig = true
                """);
        assertThat(i.listenPort()).hasValue(51820);
        assertThat(i.fwMark()).hasValue(0x1234);
        assertThat(i.addresses()).containsExactly(IpPrefix.parse("10.0.0.1/24"), IpPrefix.parse("fd00::1/64"));
        assertThat(i.dnsServers()).containsExactly(ip("1.1.1.1"), ip("2606:4700:4700::1111"));
        assertThat(i.dnsSearchDomains()).containsExactly("example.com");
        assertThat(i.mtu()).hasValue(1420);
        assertThat(i.table()).isEqualTo(new RouteTable.Id(1234));
        assertThat(i.preUp()).containsExactly("echo pre-up %i");
        assertThat(i.postUp()).containsExactly("echo post-up %i");
        assertThat(i.preDown()).containsExactly("echo pre-down %i");
        assertThat(i.postDown()).containsExactly("echo post-down %i");
        assertThat(i.saveConfig()).isTrue();
    }

    @Test
    void everyPeerKey() throws Exception {
        PeerConfig p = peer("""
                PresharedKey = %s
                AllowedIPs = 10.0.0.2/32, fd00::2/128
                Endpoint = 203.0.113.5:51820
                PersistentKeepalive = 25
                """.formatted(PSK));
        assertThat(p.publicKey()).isEqualTo(Key.fromBase64(PUB2));
        assertThat(p.presharedKey()).contains(Key.fromBase64(PSK));
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("fd00::2/128"));
        assertThat(p.endpoint()).contains(Endpoint.parse("203.0.113.5:51820"));
        assertThat(p.persistentKeepalive()).hasValue(25);
    }

    @Test
    void minimalPeerHasDefaults() throws Exception {
        PeerConfig p = peer("");
        assertThat(p.presharedKey()).isEmpty();
        assertThat(p.allowedIps()).isEmpty();
        assertThat(p.endpoint()).isEmpty();
        assertThat(p.persistentKeepalive()).isEmpty();
    }

    @Test
    void listenPortRange() throws Exception {
        assertThat(iface("ListenPort = 0").listenPort()).hasValue(0);
        assertThat(iface("ListenPort = 65535").listenPort()).hasValue(65535);
        assertThat(iface("ListenPort = 0051820").listenPort()).hasValue(51820);
    }

    @Test
    void fwMarkForms() throws Exception {
        assertThat(iface("FwMark = 4660").fwMark()).hasValue(0x1234);
        assertThat(iface("FwMark = 0x1234").fwMark()).hasValue(0x1234);
        assertThat(iface("FwMark = 0xABCdef").fwMark()).hasValue(0xabcdef);
        assertThat(iface("FwMark = 0xffffffff").fwMark()).hasValue(0xffffffffL);
        assertThat(iface("FwMark = 4294967295").fwMark()).hasValue(0xffffffffL);
        assertThat(iface("FwMark = 010").fwMark()).hasValue(10); // decimal, as wg's strtoul(base 10)
        assertThat(iface("FwMark = 0").fwMark()).isEmpty();
        assertThat(iface("FwMark = off").fwMark()).isEmpty();
        assertThat(iface("FwMark = OFF").fwMark()).isEmpty();
        assertThat(iface("FwMark = 0x0").fwMark()).isEmpty();
    }

    @Test
    void keepaliveForms() throws Exception {
        assertThat(peer("PersistentKeepalive = off").persistentKeepalive()).isEmpty();
        assertThat(peer("PersistentKeepalive = Off").persistentKeepalive()).isEmpty();
        assertThat(peer("PersistentKeepalive = 0").persistentKeepalive()).isEmpty();
        assertThat(peer("PersistentKeepalive = 1").persistentKeepalive()).hasValue(1);
        assertThat(peer("PersistentKeepalive = 65535").persistentKeepalive()).hasValue(65535);
        assertThat(peer("PersistentKeepalive = 025").persistentKeepalive()).hasValue(25);
    }

    @Test
    void tableForms() throws Exception {
        assertThat(iface("Table = off").table()).isEqualTo(RouteTable.OFF);
        assertThat(iface("Table = Auto").table()).isEqualTo(RouteTable.AUTO);
        assertThat(iface("Table = main").table()).isEqualTo(new RouteTable.Named("main"));
        assertThat(iface("Table = 51820").table()).isEqualTo(new RouteTable.Id(51820));
        assertThat(iface("Table = off\nTable =").table()).isEqualTo(RouteTable.AUTO); // empty is wg-quick's default
    }

    @Test
    void saveConfigIsCaseInsensitive() throws Exception {
        assertThat(iface("SaveConfig = TRUE").saveConfig()).isTrue();
        assertThat(iface("SaveConfig = True\nSaveConfig = false").saveConfig()).isFalse();
    }

    @Test
    void mtuBounds() throws Exception {
        assertThat(iface("MTU = 576").mtu()).hasValue(576);
        assertThat(iface("MTU = 65455").mtu()).hasValue(65455);
        assertThat(iface("MTU = 1280\nAddress = fd00::1/64").mtu()).hasValue(1280);
        assertThat(iface("MTU = 1000\nAddress = 10.0.0.1/24").mtu()).hasValue(1000);
        assertThat(iface("MTU = 1420\nMTU =").mtu()).isEmpty(); // empty is "compute it", as in wg-quick
    }

    @Test
    void dnsIsSplitLikeWgQuick() throws Exception {
        InterfaceConfig i = iface("""
                DNS = 10.0.0.53,fd00::53 corp.example  ~.
                dns = 9.9.9.9,,, lan
                DNS =
                """);
        assertThat(i.dnsServers()).containsExactly(ip("10.0.0.53"), ip("fd00::53"), ip("9.9.9.9"));
        assertThat(i.dnsSearchDomains()).containsExactly("corp.example", "~.", "lan");
    }

    @Test
    void listsAppendAcrossRepeatedKeys() throws Exception {
        Config c = parse(IFACE + """
                Address = 10.0.0.1/24
                Address = fd00::1/64,10.0.1.1/24 ,
                Address =
                PostUp = one
                PostUp = two
                [Peer]
                PublicKey = %s
                AllowedIPs = 10.0.0.2/32
                AllowedIPs = 10.0.3.0/24,fd00::2/128
                """.formatted(PUB2));
        assertThat(c.interfaceConfig().addresses()).extracting(Object::toString)
                .containsExactly("10.0.0.1/24", "fd00::1/64", "10.0.1.1/24");
        assertThat(c.interfaceConfig().postUp()).containsExactly("one", "two");
        assertThat(c.peers().getFirst().allowedIps()).extracting(Object::toString)
                .containsExactly("10.0.0.2/32", "10.0.3.0/24", "fd00::2/128");
    }

    @Test
    void singleValuedKeysTakeTheLastValue() throws Exception {
        Config c = parse("""
                [Interface]
                PrivateKey = %s
                PrivateKey = %s
                ListenPort = 1
                ListenPort = 2
                MTU = 1400
                MTU = 1420
                [Peer]
                PublicKey = %s
                PublicKey = %s
                Endpoint = 1.2.3.4:1
                Endpoint = 1.2.3.4:2
                PersistentKeepalive = 10
                PersistentKeepalive = off
                """.formatted(PRIV2, PRIV1, PUB3, PUB2));
        assertThat(c.interfaceConfig().privateKey()).isEqualTo(Key.fromBase64(PRIV1));
        assertThat(c.interfaceConfig().listenPort()).hasValue(2);
        assertThat(c.interfaceConfig().mtu()).hasValue(1420);
        PeerConfig p = c.peers().getFirst();
        assertThat(p.publicKey()).isEqualTo(Key.fromBase64(PUB2));
        assertThat(p.endpoint()).contains(Endpoint.parse("1.2.3.4:2"));
        assertThat(p.persistentKeepalive()).isEmpty();
    }

    // ---- syntax ----

    @Test
    void acceptsWhatWgQuickAccepts() throws Exception {
        String text = "\uFEFF# leading comment\r\n"
                + "\r\n"
                + "  [interface]   # trailing comment\r\n"
                + "\tprivatekey\t=\t" + PRIV1 + "   # the key\r\n"
                + "LISTENPORT=51820\r\n"
                + "   address   =   10.0.0.1/24   ,   fd00::1/64   \r\n"
                + "#Address = 10.9.9.9/32\r\n"
                + "   # indented comment\r\n"
                + "[ PEER ]\r\n"
                + "publickey = " + PUB2 + "\r\n"
                + "allowedips = 10.0.0.2/32 , fd00::2/128#comment\r\n"
                + "ENDPOINT = [fd00::99] : 51820\r\n"
                + "persistentKEEPALIVE = 2 5\r\n"; // wg removes all whitespace from its values
        Config c = parse(text);
        assertThat(c.interfaceConfig().listenPort()).hasValue(51820);
        assertThat(c.interfaceConfig().addresses()).extracting(Object::toString).containsExactly("10.0.0.1/24", "fd00::1/64");
        PeerConfig p = c.peers().getFirst();
        assertThat(p.allowedIps()).extracting(Object::toString).containsExactly("10.0.0.2/32", "fd00::2/128");
        assertThat(p.endpoint().orElseThrow()).hasToString("[fd00::99]:51820");
        assertThat(p.persistentKeepalive()).hasValue(25);
    }

    @Test
    void hookCommandsKeepPercentIAndHashAsWgQuickDoes() throws Exception {
        // wg-quick takes a hook's value from the unstripped line: everything after the first '='.
        InterfaceConfig i = iface("""
                PostUp = iptables -A FORWARD -i %i -j ACCEPT # allow forwarding
                PostUp = echo '#not a comment' > /tmp/x
                PostUp = sysctl -w net.ipv4.ip_forward=1
                PreUp=   printf '%s\\n' a=b   \s
                PostDown = # only a comment
                PreDown =
                PreDown =    \s
                """);
        assertThat(i.postUp()).containsExactly(
                "iptables -A FORWARD -i %i -j ACCEPT # allow forwarding",
                "echo '#not a comment' > /tmp/x",
                "sysctl -w net.ipv4.ip_forward=1");
        assertThat(i.preUp()).containsExactly("printf '%s\\n' a=b");
        assertThat(i.postDown()).containsExactly("# only a comment");
        assertThat(i.preDown()).isEmpty();
    }

    @Test
    void commentedOutHookIsAComment() throws Exception {
        assertThat(iface("# PostUp = rm -rf /\n  #PostUp = x").postUp()).isEmpty();
    }

    @Test
    void ipv6AndHostnameEndpoints() throws Exception {
        assertThat(peer("Endpoint = [2001:db8::1]:51820").endpoint().orElseThrow()).hasToString("[2001:db8::1]:51820");
        assertThat(peer("Endpoint = [2001:DB8:0:0::1]:51820").endpoint().orElseThrow().host()).isEqualTo("2001:db8::1");
        assertThat(peer("Endpoint = 2001:db8::1:51820").endpoint().orElseThrow()).hasToString("[2001:db8::1]:51820");
        assertThat(peer("Endpoint = [fe80::1%eth0]:51820").endpoint().orElseThrow()).hasToString("[fe80::1%eth0]:51820");
        Endpoint named = peer("Endpoint = vpn.example.com:51820").endpoint().orElseThrow();
        assertThat(named.isIpLiteral()).isFalse();
        assertThat(named.host()).isEqualTo("vpn.example.com");
        assertThat(named).hasToString("vpn.example.com:51820");
    }

    @Test
    void allowedIpsMayHaveHostBits() throws Exception {
        IpPrefix p = peer("AllowedIPs = 10.0.0.5/24").allowedIps().getFirst();
        assertThat(p).hasToString("10.0.0.5/24");
        assertThat(p.masked()).hasToString("10.0.0.0/24");
    }

    // ---- errors ----

    @Test
    void sectionErrors() {
        assertThat(error("[Interfaces]\n")).isEqualTo("wg0.conf:1: unknown section `[Interfaces]' (expected [Interface] or [Peer])");
        assertThat(error(IFACE + "[Peer\n")).isEqualTo("wg0.conf:3: unknown section `[Peer' (expected [Interface] or [Peer])");
        assertThat(error(IFACE + "[Peer] x\n")).isEqualTo("wg0.conf:3: unknown section `[Peer]x' (expected [Interface] or [Peer])");
        assertThat(error("# hi\nPrivateKey = " + PRIV1 + "\n[Interface]\n"))
                .isEqualTo("wg0.conf:2: `PrivateKey' is outside of a section; put it under [Interface] or [Peer]");
        assertThat(error(IFACE + "\n[Interface]\nPrivateKey = " + PRIV2))
                .isEqualTo("wg0.conf:4: more than one [Interface] section (the first is at line 1)");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n[interface]\n"))
                .isEqualTo("wg0.conf:5: more than one [Interface] section (the first is at line 1)");
    }

    @Test
    void lineErrors() {
        assertThat(error(IFACE + "ListenPort 51820\n")).isEqualTo("wg0.conf:3: expected `Key = Value' or a [Section] header");
        assertThat(error(IFACE + "ListenPort # = 51820\n")).isEqualTo("wg0.conf:3: expected `Key = Value' or a [Section] header");
        assertThat(error(IFACE + " = 51820\n")).isEqualTo("wg0.conf:3: missing key before `='");
        assertThat(error(IFACE + "Foo = bar\n")).isEqualTo("wg0.conf:3: unknown key `Foo' in [Interface] section");
        assertThat(error(IFACE + "Private Key = " + PRIV1 + "\n")).isEqualTo("wg0.conf:3: unknown key `Private Key' in [Interface] section");
        assertThat(error(IFACE + "AllowedIPs = 10.0.0.0/8\n"))
                .isEqualTo("wg0.conf:3: unknown key `AllowedIPs' in [Interface] section (it belongs in a [Peer] section)");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\nAddress = 10.0.0.1/24\n"))
                .isEqualTo("wg0.conf:5: unknown key `Address' in [Peer] section (it belongs in the [Interface] section)");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\npostup = x\n"))
                .isEqualTo("wg0.conf:5: unknown key `postup' in [Peer] section (it belongs in the [Interface] section)");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\nFoo = 1\n"))
                .isEqualTo("wg0.conf:5: unknown key `Foo' in [Peer] section");
    }

    @Test
    void keyErrors() {
        assertThat(error("[Interface]\nPrivateKey = abc\n")).isEqualTo("wg0.conf:2: PrivateKey: Key is not the correct length or format");
        assertThat(error("[Interface]\nPrivateKey = " + PRIV1.substring(1) + "\n"))
                .isEqualTo("wg0.conf:2: PrivateKey: Key is not the correct length or format");
        assertThat(error("[Interface]\nPrivateKey = " + "!".repeat(43) + "=\n"))
                .isEqualTo("wg0.conf:2: PrivateKey: Key is not valid base64");
        assertThat(error("[Interface]\nPrivateKey =\n")).isEqualTo("wg0.conf:2: PrivateKey: missing value");
        assertThat(error("[Interface]\nPrivateKey = " + PRIV1 + "x\n"))
                .isEqualTo("wg0.conf:2: PrivateKey: Key is not the correct length or format");
        String peers = IFACE + "\n[Peer]\nPublicKey = " + PUB2 + "\nAllowedIPs = 10.0.0.2/32\n\n[Peer]\n";
        assertThat(error(peers + "PublicKey = " + PUB2.substring(0, 40) + "\n"))
                .isEqualTo("wg0.conf:9: PublicKey: Key is not the correct length or format");
        assertThat(error(peers + "PublicKey = " + PUB3 + "\nPresharedKey = nope\n"))
                .isEqualTo("wg0.conf:10: PresharedKey: Key is not the correct length or format");
        assertThat(error(peers + "PublicKey = " + PUB3 + "\nPresharedKey = \n"))
                .isEqualTo("wg0.conf:10: PresharedKey: missing value");
        assertThat(error(peers + "PublicKey =\n")).isEqualTo("wg0.conf:9: PublicKey: missing value");
    }

    @Test
    void duplicatePublicKey() {
        String text = IFACE + """
                [Peer]
                PublicKey = %s

                [Peer]
                PublicKey = %s
                [Peer]
                # same as the first
                PublicKey = %s
                """.formatted(PUB2, PUB3, PUB2);
        assertThat(error(text)).isEqualTo("wg0.conf:10: PublicKey: the same key as the peer at line 4 (each peer needs its own)");
    }

    @Test
    void missingSectionsAndKeys() {
        assertThat(error("")).isEqualTo("wg0.conf:1: missing [Interface] section");
        assertThat(error("# nothing\n\n")).isEqualTo("wg0.conf:1: missing [Interface] section");
        assertThat(error("[Peer]\nPublicKey = " + PUB2 + "\n")).isEqualTo("wg0.conf:1: missing [Interface] section");
        assertThat(error("# c\n[Interface]\nListenPort = 1\n")).isEqualTo("wg0.conf:2: [Interface] has no PrivateKey");
        assertThat(error("[Interface]\nListenPort = 1\n[Peer]\nPublicKey = " + PUB2))
                .isEqualTo("wg0.conf:1: [Interface] has no PrivateKey");
        assertThat(error(IFACE + "\n[Peer]\nAllowedIPs = 10.0.0.0/8\n")).isEqualTo("wg0.conf:4: [Peer] has no PublicKey");
        assertThat(error(IFACE + "[Peer]\n[Peer]\nPublicKey = " + PUB2 + "\n")).isEqualTo("wg0.conf:3: [Peer] has no PublicKey");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n[Peer]\n# no key\n"))
                .isEqualTo("wg0.conf:5: [Peer] has no PublicKey");
    }

    @Test
    void portAndNumberErrors() {
        assertThat(error(IFACE + "ListenPort = 65536")).isEqualTo("wg0.conf:3: ListenPort: `65536' is not a valid port (0-65535)");
        assertThat(error(IFACE + "ListenPort = -1")).isEqualTo("wg0.conf:3: ListenPort: `-1' is not a valid port (0-65535)");
        assertThat(error(IFACE + "ListenPort = http")).isEqualTo("wg0.conf:3: ListenPort: `http' is not a valid port (0-65535)");
        assertThat(error(IFACE + "ListenPort =")).isEqualTo("wg0.conf:3: ListenPort: missing value");
        assertThat(error(IFACE + "FwMark = 0X10")).isEqualTo("wg0.conf:3: FwMark: `0X10' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = 0x")).isEqualTo("wg0.conf:3: FwMark: `0x' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = 0x100000000")).isEqualTo("wg0.conf:3: FwMark: `0x100000000' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = 4294967296")).isEqualTo("wg0.conf:3: FwMark: `4294967296' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = -1")).isEqualTo("wg0.conf:3: FwMark: `-1' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = on")).isEqualTo("wg0.conf:3: FwMark: `on' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "FwMark = 12ab")).isEqualTo("wg0.conf:3: FwMark: `12ab' is neither 0/off nor 0-0xffffffff");
        assertThat(error(IFACE + "MTU = 575")).isEqualTo("wg0.conf:3: MTU: `575' is not a valid MTU (576-65455)");
        assertThat(error(IFACE + "MTU = 65456")).isEqualTo("wg0.conf:3: MTU: `65456' is not a valid MTU (576-65455)");
        assertThat(error(IFACE + "MTU = 1420x")).isEqualTo("wg0.conf:3: MTU: `1420x' is not a valid MTU (576-65455)");
        assertThat(error(IFACE + "MTU = 99999999999")).isEqualTo("wg0.conf:3: MTU: `99999999999' is not a valid MTU (576-65455)");
        assertThat(error(IFACE + "MTU = 1200\nAddress = 10.0.0.1/24, fd00::1/64"))
                .isEqualTo("wg0.conf:3: MTU: `1200' is below 1280, the minimum MTU for IPv6 (Address fd00::1/64)");
        assertThat(error(IFACE + "Table = my table")).isEqualTo("wg0.conf:3: Table: `my table' is not off, auto, a table number or a table name");
        assertThat(error(IFACE + "Table = 4294967296"))
                .isEqualTo("wg0.conf:3: Table: `4294967296' is out of range for a routing table number (0-4294967295)");
        assertThat(error(IFACE + "SaveConfig = yes")).isEqualTo("wg0.conf:3: SaveConfig: `yes' is neither true nor false");
        assertThat(error(IFACE + "SaveConfig =")).isEqualTo("wg0.conf:3: SaveConfig: `' is neither true nor false");
        String peer = IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n";
        assertThat(error(peer + "PersistentKeepalive = 65536"))
                .isEqualTo("wg0.conf:5: PersistentKeepalive: `65536' is neither 0/off nor 1-65535");
        assertThat(error(peer + "PersistentKeepalive = -1"))
                .isEqualTo("wg0.conf:5: PersistentKeepalive: `-1' is neither 0/off nor 1-65535");
        assertThat(error(peer + "PersistentKeepalive = 0x10"))
                .isEqualTo("wg0.conf:5: PersistentKeepalive: `0x10' is neither 0/off nor 1-65535");
        assertThat(error(peer + "PersistentKeepalive = never"))
                .isEqualTo("wg0.conf:5: PersistentKeepalive: `never' is neither 0/off nor 1-65535");
    }

    @Test
    void addressErrors() {
        assertThat(error(IFACE + "Address = 10.0.0.1/33")).isEqualTo("wg0.conf:3: Address: `10.0.0.1/33': the prefix length must be 0-32 for IPv4");
        assertThat(error(IFACE + "Address = 10.0.0.1/24, fd00::1/129"))
                .isEqualTo("wg0.conf:3: Address: `fd00::1/129': the prefix length must be 0-128 for IPv6");
        assertThat(error(IFACE + "Address = 10.0.0.256/24")).isEqualTo("wg0.conf:3: Address: `10.0.0.256' is not a valid IP address");
        assertThat(error(IFACE + "Address = 10.0.0.1/24 fd00::1/64 10.0.0/24"))
                .isEqualTo("wg0.conf:3: Address: `10.0.0' is not a valid IP address");
        assertThat(error(IFACE + "DNS = 1.1.1.999")).isEqualTo("wg0.conf:3: DNS: `1.1.1.999' is not a valid IP address");
        assertThat(error(IFACE + "DNS = fd00::1::53")).isEqualTo("wg0.conf:3: DNS: `fd00::1::53' is not a valid IP address");
        assertThat(error(IFACE + "DNS = fe80::53%eth0"))
                .isEqualTo("wg0.conf:3: DNS: `fe80::53%eth0': scoped IPv6 DNS servers are not supported");
        assertThat(error(IFACE + "DNS = " + "a-".repeat(127)))
                .isEqualTo("wg0.conf:3: DNS: `" + "a-".repeat(127) + "' is neither an IP address nor a valid search domain");
        // a run of 43+ base64 characters could hold a key from a joined line, so it is never quoted
        assertThat(error(IFACE + "DNS = " + "a".repeat(254)))
                .isEqualTo("wg0.conf:3: DNS: `(hidden: looks like a key)' is neither an IP address nor a valid search domain");
        String peer = IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n";
        assertThat(error(peer + "AllowedIPs = 10.0.0.0/8, fd00::/129"))
                .isEqualTo("wg0.conf:5: AllowedIPs: `fd00::/129': the prefix length must be 0-128 for IPv6");
        assertThat(error(peer + "AllowedIPs = 10.0.0.0/8,")).isEqualTo("wg0.conf:5: AllowedIPs: empty entry in `10.0.0.0/8,'");
        assertThat(error(peer + "AllowedIPs = 10.0.0.0/8,,fd00::/8"))
                .isEqualTo("wg0.conf:5: AllowedIPs: empty entry in `10.0.0.0/8,,fd00::/8'");
        assertThat(error(peer + "AllowedIPs =")).isEqualTo("wg0.conf:5: AllowedIPs: missing value");
        assertThat(error(peer + "AllowedIPs = +10.0.0.0/8"))
                .isEqualTo("wg0.conf:5: AllowedIPs: `+10.0.0.0/8': a leading + or - is only for `wg set'");
        assertThat(error(peer + "AllowedIPs = -10.0.0.0/8"))
                .isEqualTo("wg0.conf:5: AllowedIPs: `-10.0.0.0/8': a leading + or - is only for `wg set'");
        assertThat(error(peer + "AllowedIPs = example.com/32")).isEqualTo("wg0.conf:5: AllowedIPs: `example.com' is not a valid IP address");
        assertThat(error(peer + "AllowedIPs = 10.0.0.0 10.1.0.0")).isEqualTo("wg0.conf:5: AllowedIPs: `10.0.0.010.1.0.0' is not a valid IP address");
    }

    @Test
    void endpointErrors() {
        String peer = IFACE + "[Peer]\nPublicKey = " + PUB2 + "\n";
        assertThat(error(peer + "Endpoint =")).isEqualTo("wg0.conf:5: Endpoint: missing value");
        assertThat(error(peer + "Endpoint = 1.2.3.4"))
                .isEqualTo("wg0.conf:5: Endpoint: `1.2.3.4': the port is missing (expected HOST:PORT or [IPV6]:PORT)");
        assertThat(error(peer + "Endpoint = [fd00::1:51820")).isEqualTo("wg0.conf:5: Endpoint: `[fd00::1:51820': no matching `]'");
        assertThat(error(peer + "Endpoint = 1.2.3.4:70000")).isEqualTo("wg0.conf:5: Endpoint: `1.2.3.4:70000': the port must be a number 1-65535");
        assertThat(error(peer + "Endpoint = 1.2.3.4:0")).isEqualTo("wg0.conf:5: Endpoint: `1.2.3.4:0': the port must be a number 1-65535");
        assertThat(error(peer + "Endpoint = 1.2.3.4.5:1")).isEqualTo("wg0.conf:5: Endpoint: `1.2.3.4.5:1': `1.2.3.4.5' is not a valid IPv4 address");
        assertThat(error(peer + "Endpoint = vpn!.example.com:1"))
                .isEqualTo("wg0.conf:5: Endpoint: `vpn!.example.com:1': `vpn!.example.com' is not a valid host name");
    }

    @Test
    void controlCharactersDoNotBreakTheOneLineMessage() {
        assertThat(error(IFACE + "ListenPort = 5\u00011")).isEqualTo("wg0.conf:3: ListenPort: `5?1' is not a valid port (0-65535)");
    }

    @Test
    void exceptionParts() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> Config.parse(IFACE + "MTU = 1", "/etc/wireguard/wg1.conf"));
        assertThat(e.sourceName()).isEqualTo("/etc/wireguard/wg1.conf");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.reason()).isEqualTo("MTU: `1' is not a valid MTU (576-65455)");
        assertThat(e).hasMessage("/etc/wireguard/wg1.conf:3: MTU: `1' is not a valid MTU (576-65455)");
    }

    // ---- files ----

    @Test
    void parsesFilesNamingThemInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wg0.conf");
        Files.writeString(file, IFACE + "ListenPort = 51820\n");
        assertThat(Config.parse(file).interfaceConfig().listenPort()).hasValue(51820);
        Files.writeString(file, IFACE + "ListenPort = x\n");
        assertThatThrownBy(() -> Config.parse(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":3: ListenPort: `x' is not a valid port (0-65535)");
        assertThatThrownBy(() -> Config.parse(dir.resolve("nope.conf"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void invalidUtf8IsAnErrorOnlyOutsideComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wg0.conf");
        byte[] latin1Comment = ("# caf\u00e9\n" + IFACE + "PostUp = echo h\u00e9llo\n").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1Comment);
        assertThatThrownBy(() -> Config.parse(file)).hasMessage(file + ":4: not valid UTF-8 text");
        Files.write(file, ("# caf\u00e9\n" + IFACE).getBytes(StandardCharsets.ISO_8859_1));
        assertThat(Config.parse(file).interfaceConfig().privateKey()).isEqualTo(Key.fromBase64(PRIV1));
        Files.write(file, (IFACE + "PostUp = echo h\u00e9llo\n").getBytes(StandardCharsets.UTF_8));
        assertThat(Config.parse(file).interfaceConfig().postUp()).containsExactly("echo h\u00e9llo");
    }

    // ---- writing back ----

    static final String REALISTIC = """
            # Road-warrior server: laptop, phone and a site-to-site link.
            [Interface]
            Address = 10.8.0.1/24, fd08::1/64
            ListenPort = 51820
            PrivateKey = %s
            FwMark = 0xca6c
            DNS = 10.8.0.1, fd08::1, home.arpa
            MTU = 1420
            Table = off
            SaveConfig = false
            PreUp = sysctl -w net.ipv4.ip_forward=1
            PostUp = iptables -A FORWARD -i %%i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE # NAT
            PostUp = ip6tables -A FORWARD -i %%i -j ACCEPT
            PostDown = iptables -D FORWARD -i %%i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
            PostDown = ip6tables -D FORWARD -i %%i -j ACCEPT

            # laptop
            [Peer]
            PublicKey = %s
            PresharedKey = %s
            AllowedIPs = 10.8.0.2/32, fd08::2/128

            # phone (roams; keeps NAT open)
            [Peer]
            PublicKey = %s
            AllowedIPs = 10.8.0.3/32
            AllowedIPs = fd08::3/128
            PersistentKeepalive = 25

            # branch office, reached by name and over IPv6
            [Peer]
            PublicKey = %s
            AllowedIPs = 192.168.50.0/24, 10.50.0.0/16
            Endpoint = branch.example.net:51821
            """.formatted(PRIV1, PUB2, PSK, PUB3, PUB1);

    @Test
    void realisticMultiPeerFile() throws Exception {
        Config c = parse(REALISTIC);
        InterfaceConfig i = c.interfaceConfig();
        assertThat(i.addresses()).extracting(Object::toString).containsExactly("10.8.0.1/24", "fd08::1/64");
        assertThat(i.fwMark()).isEqualTo(OptionalLong.of(0xca6c));
        assertThat(i.dnsServers()).containsExactly(ip("10.8.0.1"), ip("fd08::1"));
        assertThat(i.dnsSearchDomains()).containsExactly("home.arpa");
        assertThat(i.table()).isEqualTo(RouteTable.OFF);
        assertThat(i.postUp()).hasSize(2).first().asString().endsWith("MASQUERADE # NAT");
        assertThat(c.peers()).hasSize(3);
        assertThat(c.peers()).extracting(p -> p.publicKey().toBase64()).containsExactly(PUB2, PUB3, PUB1);
        assertThat(c.peer(Key.fromBase64(PUB3)).orElseThrow().persistentKeepalive()).isEqualTo(OptionalInt.of(25));
        assertThat(c.peer(Key.fromBase64(PUB3)).orElseThrow().allowedIps()).hasSize(2);
        assertThat(c.peer(Key.fromBase64(PUB1)).orElseThrow().endpoint().orElseThrow()).hasToString("branch.example.net:51821");
        assertThat(c.peer(Key.fromBase64(PRIV1))).isEmpty();
        assertThat(c.toString()).doesNotContain(PRIV1).doesNotContain(PSK).contains(PUB2);
    }

    @Test
    void toWgQuickTextIsExactAndRoundTrips() throws Exception {
        Config c = parse(REALISTIC);
        String text = c.toWgQuickText();
        assertThat(text).isEqualTo("""
                [Interface]
                Address = 10.8.0.1/24, fd08::1/64
                DNS = 10.8.0.1, fd08::1, home.arpa
                MTU = 1420
                Table = off
                PreUp = sysctl -w net.ipv4.ip_forward=1
                PostUp = iptables -A FORWARD -i %%i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE # NAT
                PostUp = ip6tables -A FORWARD -i %%i -j ACCEPT
                PostDown = iptables -D FORWARD -i %%i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE
                PostDown = ip6tables -D FORWARD -i %%i -j ACCEPT
                ListenPort = 51820
                FwMark = 0xca6c
                PrivateKey = %s

                [Peer]
                PublicKey = %s
                PresharedKey = %s
                AllowedIPs = 10.8.0.2/32, fd08::2/128

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.8.0.3/32, fd08::3/128
                PersistentKeepalive = 25

                [Peer]
                PublicKey = %s
                AllowedIPs = 192.168.50.0/24, 10.50.0.0/16
                Endpoint = branch.example.net:51821
                """.formatted(PRIV1, PUB2, PSK, PUB3, PUB1));
        assertThat(parse(text)).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(parse(text).toWgQuickText()).isEqualTo(text);
    }

    @Test
    void toWgTextIsWhatWgQuickStripKeeps() throws Exception {
        assertThat(parse(REALISTIC).toWgText()).isEqualTo("""
                [Interface]
                ListenPort = 51820
                FwMark = 0xca6c
                PrivateKey = %s

                [Peer]
                PublicKey = %s
                PresharedKey = %s
                AllowedIPs = 10.8.0.2/32, fd08::2/128

                [Peer]
                PublicKey = %s
                AllowedIPs = 10.8.0.3/32, fd08::3/128
                PersistentKeepalive = 25

                [Peer]
                PublicKey = %s
                AllowedIPs = 192.168.50.0/24, 10.50.0.0/16
                Endpoint = branch.example.net:51821
                """.formatted(PRIV1, PUB2, PSK, PUB3, PUB1));
        assertThat(parse(IFACE).toWgText()).isEqualTo(IFACE);
    }

    @Test
    void roundTripsEverythingElse() throws Exception {
        for (String extra : List.of(
                "SaveConfig = true\nTable = main\nMTU = 1280\nAddress = fd00::1/64",
                "Table = 4294967295\nFwMark = 0xffffffff\nListenPort = 0",
                "DNS = ~., 1.1.1.1\nPreDown = echo '#' = %i\nPostDown = a=b # c",
                "Address = ::ffff:10.0.0.1/128, ::/0, 0.0.0.0/0")) {
            Config c = parse(IFACE + extra + "\n[Peer]\nPublicKey = " + PUB2
                    + "\nEndpoint = [fe80::1%eth0]:1\nAllowedIPs = ::/0, 0.0.0.0/0\n[Peer]\nPublicKey = " + PUB3
                    + "\nEndpoint = fd00::1:51820\nPersistentKeepalive = 65535");
            assertThat(parse(c.toWgQuickText())).as(extra).isEqualTo(c);
        }
    }

    @Test
    void builtConfigsRoundTrip() throws Exception {
        Key priv = Key.generatePrivate();
        Key peer1 = Key.generatePrivate().publicKey();
        Key peer2 = Key.generatePrivate().publicKey();
        InterfaceConfig i = InterfaceConfig.builder(priv)
                .listenPort(51820)
                .fwMark(51820)
                .addAddress(IpPrefix.parse("10.0.0.1/24"))
                .addDnsServer(InetAddress.getByName("1.1.1.1"))
                .addDnsServer(InetAddress.getByName("::ffff:8.8.8.8")) // Java makes it an Inet4Address
                .addDnsSearchDomain("example.com")
                .mtu(1420)
                .table(RouteTable.parse("vpn"))
                .addPreUp("echo %i")
                .addPostUp("  echo up  ")
                .addPreDown("echo down")
                .addPostDown("echo # hash")
                .saveConfig(true)
                .build();
        assertThat(i.postUp()).containsExactly("echo up");
        Config c = Config.of(i, List.of(
                PeerConfig.builder(peer1).presharedKey(Key.generatePreshared()).addAllowedIp(IpPrefix.parse("10.0.0.2/32"))
                        .endpoint(Endpoint.of("1.2.3.4", 51820)).persistentKeepalive(25).build(),
                PeerConfig.builder(peer2).allowedIps(List.of(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parse("::/0"))).build()));
        assertThat(parse(c.toWgQuickText())).isEqualTo(c);
        assertThat(i.toString()).doesNotContain(priv.toBase64()).contains("privateKey=(redacted)");

        InterfaceConfig changed = i.newBuilder().clearListenPort().fwMark(0).clearMtu().table(RouteTable.AUTO)
                .preUp(List.of()).saveConfig(false).build();
        assertThat(changed.listenPort()).isEmpty();
        assertThat(changed.fwMark()).isEmpty();
        assertThat(changed.mtu()).isEmpty();
        assertThat(changed.preUp()).isEmpty();
        assertThat(changed.postUp()).containsExactly("echo up");
        assertThat(c.withInterfaceConfig(changed).interfaceConfig()).isEqualTo(changed);
        PeerConfig p = c.peers().getFirst().newBuilder().clearEndpoint().clearPresharedKey().persistentKeepalive(0).build();
        assertThat(p.endpoint()).isEmpty();
        assertThat(p.presharedKey()).isEmpty();
        assertThat(p.persistentKeepalive()).isEmpty();
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.2/32"));
        assertThat(c.withPeers(List.of(p)).peers()).containsExactly(p);
    }

    @Test
    void buildersValidate() throws Exception {
        Key k = Key.generatePrivate();
        assertThatThrownBy(() -> Config.of(InterfaceConfig.builder(k).build(),
                List.of(PeerConfig.builder(k.publicKey()).build(), PeerConfig.builder(k.publicKey()).build())))
                .hasMessage("two peers have the public key " + k.publicKey().toBase64());
        InterfaceConfig.Builder b = InterfaceConfig.builder(k);
        assertThatThrownBy(() -> b.listenPort(65536)).hasMessage("`65536' is not a valid port (0-65535)");
        assertThatThrownBy(() -> b.fwMark(1L << 32)).hasMessage("`4294967296' is neither 0/off nor 0-0xffffffff");
        assertThatThrownBy(() -> b.mtu(100)).hasMessage("`100' is not a valid MTU (576-65455)");
        assertThatThrownBy(() -> b.addPostUp("a\nb")).hasMessage("a hook command must be a single line");
        assertThatThrownBy(() -> b.addPostUp("  ")).hasMessage("empty hook command");
        assertThatThrownBy(() -> b.addDnsSearchDomain("a b")).hasMessage("`a b' is not a valid DNS search domain");
        assertThatThrownBy(() -> b.addDnsSearchDomain("a#b")).hasMessage("`a#b' is not a valid DNS search domain");
        assertThatThrownBy(() -> b.addDnsServer(InetAddress.getByName("fe80::1%1"))).hasMessage("scoped IPv6 DNS servers are not supported");
        assertThatThrownBy(() -> b.mtu(1000).addAddress(IpPrefix.parse("fd00::1/64")).build())
                .hasMessage("`1000' is below 1280, the minimum MTU for IPv6 (Address fd00::1/64)");
        assertThatThrownBy(() -> PeerConfig.builder(k).persistentKeepalive(65536))
                .hasMessage("`65536' is neither 0/off nor 1-65535");
    }
}
