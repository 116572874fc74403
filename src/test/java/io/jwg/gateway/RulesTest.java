package io.jwg.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.config.IpPrefix;
import io.jwg.os.Firewall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules the full tunnel and the gateway install, as text. */
class RulesTest {
    private static List<IpPrefix> prefixes(String... s) {
        return java.util.Arrays.stream(s).map(IpPrefix::parse).toList();
    }

    @Test
    void fullTunnelBothFamilies() {
        Firewall.Rules r = FullTunnel.rules("inet jwg-wg0", "wg0", 51820, prefixes("10.0.0.2/24", "fd00::2/64"), true, true);
        assertThat(r.nftBody()).isEqualTo("""
                \tchain preraw {
                \t\ttype filter hook prerouting priority -300; policy accept;
                \t\tiifname != "wg0" ip daddr 10.0.0.2 fib saddr type != local drop
                \t\tiifname != "wg0" ip6 daddr fd00::2 fib saddr type != local drop
                \t}
                \tchain premangle {
                \t\ttype filter hook prerouting priority -150; policy accept;
                \t\tmeta l4proto udp meta mark set ct mark
                \t}
                \tchain postmangle {
                \t\ttype filter hook postrouting priority -150; policy accept;
                \t\tmeta l4proto udp meta mark 51820 ct mark set meta mark
                \t}
                """);
        assertThat(r.iptables4()).isEqualTo("""
                *raw
                -I PREROUTING ! -i wg0 -d 10.0.0.2 -m addrtype ! --src-type LOCAL -m comment --comment "jwg rule for wg0" -j DROP
                COMMIT
                *mangle
                -I POSTROUTING -m mark --mark 51820 -p udp -m comment --comment "jwg rule for wg0" -j CONNMARK --save-mark
                -I PREROUTING -p udp -m comment --comment "jwg rule for wg0" -j CONNMARK --restore-mark
                COMMIT
                """);
        assertThat(r.iptables6()).contains("-d fd00::2 ").doesNotContain("10.0.0.2");
    }

    @Test
    void fullTunnelIpv4Only() {
        Firewall.Rules r = FullTunnel.rules("inet jwg-wg0", "wg0", 51821, prefixes("10.0.0.2/24", "fd00::2/64"), true, false);
        assertThat(r.nftBody()).contains("ip daddr 10.0.0.2").doesNotContain("fd00::2")
                .contains("meta nfproto ipv4 meta l4proto udp meta mark set ct mark")
                .contains("meta nfproto ipv4 meta l4proto udp meta mark 51821 ct mark set meta mark");
        assertThat(r.iptables6()).isEmpty();
    }

    @Test
    void srcValidMarkUsers() {
        assertThat(FullTunnel.needsSrcValidMark("jwg-wg1")).isTrue();
        assertThat(FullTunnel.needsSrcValidMark("wg-quick-wg1")).isTrue();
        assertThat(FullTunnel.needsSrcValidMark("jwg-gw-wg1")).isFalse();
        assertThat(FullTunnel.needsSrcValidMark("filter")).isFalse();
    }

    @Test
    void masqueradeSources() {
        assertThat(NatGateway.sources(prefixes("10.0.0.1/24", "fd00:1::1/64"),
                prefixes("10.0.0.2/32", "192.168.5.0/24", "0.0.0.0/0", "fd00:1::2/128", "::/0", "192.168.5.7/32")))
                .containsExactly(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("192.168.5.0/24"), IpPrefix.parse("fd00:1::/64"));
        // a /32 server address: the peers' addresses are what counts
        assertThat(NatGateway.sources(prefixes("10.0.0.1/32"), prefixes("10.0.0.2/32", "10.0.0.3/32")))
                .containsExactly(IpPrefix.parse("10.0.0.1/32"), IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("10.0.0.3/32"));
    }

    @Test
    void gatewayRules() {
        Firewall.Rules r = NatGateway.rules("inet jwg-gw-wg0", "wg0", "eth0", prefixes("10.0.0.0/24", "10.9.0.0/16", "fd00:1::/64"), true);
        assertThat(r.nftTable()).isEqualTo("inet jwg-gw-wg0");
        assertThat(r.nftBody()).isEqualTo("""
                \tchain forward {
                \t\ttype filter hook forward priority filter; policy accept;
                \t\tiifname "wg0" accept
                \t\toifname "wg0" ct state established,related accept
                \t}
                \tchain postrouting {
                \t\ttype nat hook postrouting priority srcnat; policy accept;
                \t\toifname "eth0" ip saddr { 10.0.0.0/24, 10.9.0.0/16 } masquerade
                \t\toifname "eth0" ip6 saddr { fd00:1::/64 } masquerade
                \t}
                """);
        assertThat(r.iptables4()).isEqualTo("""
                *filter
                -I FORWARD -i wg0 -m comment --comment "jwg gateway wg0" -j ACCEPT
                -I FORWARD -o wg0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "jwg gateway wg0" -j ACCEPT
                COMMIT
                *nat
                -A POSTROUTING -s 10.0.0.0/24 -o eth0 -m comment --comment "jwg gateway wg0" -j MASQUERADE
                -A POSTROUTING -s 10.9.0.0/16 -o eth0 -m comment --comment "jwg gateway wg0" -j MASQUERADE
                COMMIT
                """);
        assertThat(r.iptables6()).contains("-A POSTROUTING -s fd00:1::/64 -o eth0");
        assertThat(NatGateway.rules("inet jwg-gw-wg0", "wg0", "eth0", prefixes("10.0.0.0/24"), false).iptables6()).isEmpty();
    }

    @Test
    void defaultRouteDevice() {
        assertThat(NatGateway.tokenAfter("default via 10.1.0.1 dev eth0 proto dhcp metric 100", "dev")).isEqualTo("eth0");
        assertThat(NatGateway.tokenAfter("default dev ppp0 scope link", "dev")).isEqualTo("ppp0");
        assertThat(NatGateway.tokenAfter("", "dev")).isNull();
    }
}
