package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1/24|10.0.0.1/24|24|false",
        "10.0.0.1|10.0.0.1/32|32|false",
        "0.0.0.0/0|0.0.0.0/0|0|false",
        "fd00::1/64|fd00::1/64|64|true",
        "fd00::1|fd00::1/128|128|true",
        "::/0|::/0|0|true",
        "FD00:0::0:1/064|fd00::1/64|64|true",
        "10.0.0.0/08|10.0.0.0/8|8|false",
        "' 192.168.1.0/24 '|192.168.1.0/24|24|false",
        "::ffff:10.0.0.1/128|::ffff:10.0.0.1/128|128|true",
    })
    void parses(String text, String canonical, int length, boolean ipv6) {
        IpPrefix p = IpPrefix.parse(text);
        assertThat(p).hasToString(canonical);
        assertThat(p.length()).isEqualTo(length);
        assertThat(p.isIpv6()).isEqualTo(ipv6);
        assertThat(p.isIpv4()).isEqualTo(!ipv6);
        assertThat(p.maxLength()).isEqualTo(ipv6 ? 128 : 32);
        assertThat(IpPrefix.parse(p.toString())).isEqualTo(p);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1/33|`10.0.0.1/33': the prefix length must be 0-32 for IPv4",
        "fd00::/129|`fd00::/129': the prefix length must be 0-128 for IPv6",
        "10.0.0.1/|`10.0.0.1/': the prefix length must be 0-32 for IPv4",
        "10.0.0.1/-1|`10.0.0.1/-1': the prefix length must be 0-32 for IPv4",
        "10.0.0.1/+8|`10.0.0.1/+8': the prefix length must be 0-32 for IPv4",
        "10.0.0.1/2x|`10.0.0.1/2x': the prefix length must be 0-32 for IPv4",
        "10.0.0.1/99999999999|`10.0.0.1/99999999999': the prefix length must be 0-32 for IPv4",
        "10.0.0.256/24|`10.0.0.256' is not a valid IP address",
        "example.com/24|`example.com' is not a valid IP address",
        "/24|`' is not a valid IP address",
        "fd00::1%eth0/64|`fd00::1%eth0' is not a valid IP address",
        "''|empty IP address",
    })
    void rejects(String text, String message) {
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void keepsHostBitsAndMasks() {
        IpPrefix p = IpPrefix.parse("10.1.2.3/20");
        assertThat(p.isMasked()).isFalse();
        assertThat(p.masked()).hasToString("10.1.0.0/20");
        assertThat(p.masked().isMasked()).isTrue();
        IpPrefix m = p.masked();
        assertThat(m.masked()).isSameAs(m);
        assertThat(IpPrefix.parse("fd00:1234:5678::1/33").masked()).hasToString("fd00:1234::/33");
        assertThat(IpPrefix.parse("1.2.3.4/0").masked()).hasToString("0.0.0.0/0");
        assertThat(IpPrefix.parse("1.2.3.4/32").masked()).hasToString("1.2.3.4/32");
        assertThat(p).isNotEqualTo(p.masked());
    }

    @Test
    void contains() throws Exception {
        IpPrefix p = IpPrefix.parse("10.1.2.3/20");
        assertThat(p.contains(InetAddress.getByName("10.1.15.255"))).isTrue();
        assertThat(p.contains(InetAddress.getByName("10.1.16.0"))).isFalse();
        assertThat(p.contains(new byte[] {10, 1, 0, 0})).isTrue();
        assertThat(p.contains(new byte[16])).isFalse();
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(InetAddress.getByName("::1"))).isFalse();
        IpPrefix v6 = IpPrefix.parse("fd00::/8");
        assertThat(v6.contains(InetAddress.getByName("fdff::1"))).isTrue();
        assertThat(v6.contains(InetAddress.getByName("fe00::1"))).isFalse();
        assertThat(v6.contains(IpPrefix.parse("fd12::/16"))).isTrue();
        assertThat(v6.contains(IpPrefix.parse("fc00::/7"))).isFalse();
        assertThat(IpPrefix.parse("10.0.0.7/32").contains(InetAddress.getByName("10.0.0.7"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.7/31").contains(InetAddress.getByName("10.0.0.6"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.7/31").contains(InetAddress.getByName("10.0.0.8"))).isFalse();
    }

    @Test
    void defaultRoute() {
        assertThat(IpPrefix.parse("0.0.0.0/0").isDefaultRoute()).isTrue();
        assertThat(IpPrefix.parse("::/0").isDefaultRoute()).isTrue();
        assertThat(IpPrefix.parse("0.0.0.0/1").isDefaultRoute()).isFalse();
    }

    @Test
    void bytesAreCopies() throws Exception {
        IpPrefix p = IpPrefix.parse("10.0.0.1/24");
        byte[] b = p.addressBytes();
        assertThat(b).containsExactly(10, 0, 0, 1);
        b[0] = 99;
        assertThat(p.addressBytes()[0]).isEqualTo((byte) 10);
        byte[] raw = {1, 2, 3, 4};
        IpPrefix q = IpPrefix.of(raw, 8);
        raw[0] = 9;
        assertThat(q).hasToString("1.2.3.4/8");
        assertThat(IpPrefix.of(InetAddress.getByName("fd00::1"), 64)).isEqualTo(IpPrefix.parse("fd00::1/64"));
        assertThat(IpPrefix.ofHost(InetAddress.getByName("10.0.0.1"))).hasToString("10.0.0.1/32");
        assertThat(p.address()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(IpPrefix.parse("::ffff:1.2.3.4").address().getAddress()).hasSize(16);
    }

    @Test
    void factoriesValidate() {
        assertThatThrownBy(() -> IpPrefix.of(new byte[4], 33)).hasMessage("prefix length 33 is not in 0-32");
        assertThatThrownBy(() -> IpPrefix.of(new byte[16], -1)).hasMessage("prefix length -1 is not in 0-128");
        assertThatThrownBy(() -> IpPrefix.of(new byte[5], 1)).hasMessage("an IP address has 4 or 16 bytes, not 5");
    }

    @Test
    void equality() {
        assertThat(IpPrefix.parse("fd00::1/64")).isEqualTo(IpPrefix.parse("FD00:0:0::1/64"))
                .hasSameHashCodeAs(IpPrefix.parse("FD00:0:0::1/64"));
        assertThat(IpPrefix.parse("10.0.0.1/24")).isNotEqualTo(IpPrefix.parse("10.0.0.1/25"));
        assertThat(IpPrefix.parse("::ffff:10.0.0.1")).isNotEqualTo(IpPrefix.parse("10.0.0.1"));
    }
}
