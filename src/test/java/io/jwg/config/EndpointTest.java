package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.2.3.4:51820|1.2.3.4|51820|true|1.2.3.4:51820",
        "[fd00::1]:51820|fd00::1|51820|true|[fd00::1]:51820",
        "[FD00:0:0::1]:1|fd00::1|1|true|[fd00::1]:1",
        "fd00::1:51820|fd00::1|51820|true|[fd00::1]:51820",
        "[fe80::1%eth0]:51820|fe80::1%eth0|51820|true|[fe80::1%eth0]:51820",
        "[::ffff:1.2.3.4]:65535|::ffff:1.2.3.4|65535|true|[::ffff:1.2.3.4]:65535",
        "vpn.example.com:51820|vpn.example.com|51820|false|vpn.example.com:51820",
        "VPN.Example.COM.:51820|VPN.Example.COM.|51820|false|VPN.Example.COM.:51820",
        "localhost:1|localhost|1|false|localhost:1",
        "[vpn.example.com]:51820|vpn.example.com|51820|false|vpn.example.com:51820",
        "[1.2.3.4]:51820|1.2.3.4|51820|true|1.2.3.4:51820",
        "my_host-1.lan:00443|my_host-1.lan|443|false|my_host-1.lan:443",
        "1password.com:51820|1password.com|51820|false|1password.com:51820",
    })
    void parses(String text, String host, int port, boolean literal, String printed) {
        Endpoint e = Endpoint.parse(text);
        assertThat(e.host()).isEqualTo(host);
        assertThat(e.port()).isEqualTo(port);
        assertThat(e.isIpLiteral()).isEqualTo(literal);
        assertThat(e).hasToString(printed);
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e).hasSameHashCodeAs(e);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|empty endpoint",
        "1.2.3.4|`1.2.3.4': the port is missing (expected HOST:PORT or [IPV6]:PORT)",
        "1.2.3.4:|`1.2.3.4:': the port is missing (expected HOST:PORT or [IPV6]:PORT)",
        "[fd00::1]|`[fd00::1]': the port is missing (expected HOST:PORT or [IPV6]:PORT)",
        "[fd00::1]:|`[fd00::1]:': the port is missing (expected HOST:PORT or [IPV6]:PORT)",
        "[fd00::1]51820|`[fd00::1]51820': the port is missing (expected HOST:PORT or [IPV6]:PORT)",
        "[fd00::1:51820|`[fd00::1:51820': no matching `]'",
        ":51820|`:51820': the host is missing",
        "[]:51820|`[]:51820': the host is missing",
        "1.2.3.4:0|`1.2.3.4:0': the port must be a number 1-65535",
        "1.2.3.4:65536|`1.2.3.4:65536': the port must be a number 1-65535",
        "1.2.3.4:http|`1.2.3.4:http': the port must be a number 1-65535",
        "1.2.3.4:-1|`1.2.3.4:-1': the port must be a number 1-65535",
        "1.2.3.400:1|`1.2.3.400:1': `1.2.3.400' is not a valid IPv4 address",
        "1.2.3:1|`1.2.3:1': `1.2.3' is not a valid IPv4 address",
        "[fd00:::1]:1|`[fd00:::1]:1': `fd00:::1' is not a valid IPv6 address",
        "[fe80::1%]:1|`[fe80::1%]:1': `' is not a valid IPv6 scope",
        "bad_host!:1|`bad_host!:1': `bad_host!' is not a valid host name",
        "-bad.example:1|`-bad.example:1': `-bad.example' is not a valid host name",
        "a..b:1|`a..b:1': `a..b' is not a valid host name",
        "héllo.example:1|`héllo.example:1': `héllo.example' is not a valid host name",
    })
    void rejects(String text, String message) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void rejectsOverlongLabelsAndNames() {
        String label = "a".repeat(64);
        assertThatThrownBy(() -> Endpoint.parse(label + ".example:1")).hasMessageContaining("is not a valid host name");
        String name = ("a".repeat(60) + ".").repeat(5) + "com";
        assertThatThrownBy(() -> Endpoint.parse(name + ":1")).hasMessageContaining("is not a valid host name");
        assertThat(Endpoint.parse("a".repeat(63) + ".example:1").host()).startsWith("aaa");
    }

    @Test
    void factories() throws Exception {
        assertThat(Endpoint.of("fd00:0::1", 51820)).hasToString("[fd00::1]:51820");
        assertThat(Endpoint.of(InetAddress.getByName("10.0.0.1"), 1)).hasToString("10.0.0.1:1");
        assertThat(Endpoint.of(new InetSocketAddress(InetAddress.getByName("fd00::2"), 51820))).hasToString("[fd00::2]:51820");
        assertThat(Endpoint.of(InetSocketAddress.createUnresolved("vpn.example.com", 51820))).hasToString("vpn.example.com:51820");
        assertThatThrownBy(() -> Endpoint.of("1.2.3.4", 0)).hasMessage("the port must be a number 1-65535, not 0");
    }

    @Test
    void resolvesLiteralsWithoutDns() throws Exception {
        assertThat(Endpoint.parse("1.2.3.4:51820").resolve())
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 51820));
        InetSocketAddress v6 = Endpoint.parse("[fd00::1]:51820").resolve();
        assertThat(v6.getAddress().getAddress()).isEqualTo(InetAddress.getByName("fd00::1").getAddress());
        assertThat(v6.getPort()).isEqualTo(51820);
        assertThat(Endpoint.parse("localhost:9").resolve().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void unknownHostGivesClearError() {
        assertThatThrownBy(() -> Endpoint.parse("no-such-host.invalid:51820").resolve())
                .isInstanceOf(UnknownHostException.class)
                .hasMessageStartingWith("Unable to resolve endpoint `no-such-host.invalid:51820': ");
    }
}
