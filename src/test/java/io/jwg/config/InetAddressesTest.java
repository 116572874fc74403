package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class InetAddressesTest {
    /** Expected output is glibc's inet_ntop (checked with Python's socket.inet_ntop). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "::|::",
        "::1|::1",
        "::2|::2",
        "::1.2.3.4|::1.2.3.4",
        "::ffff:1.2.3.4|::ffff:1.2.3.4",
        "::ffff:0:0|::ffff:0.0.0.0",
        "::ffff:1:2|::ffff:0.1.0.2",
        "1:0:0:2:0:0:0:3|1:0:0:2::3",
        "1:0:0:2:0:0:3:4|1::2:0:0:3:4",
        "fd00:0:0:0:0:0:0:1|fd00::1",
        "2001:db8::1:0:0:1|2001:db8::1:0:0:1",
        "0:0:0:0:0:1:0:0|::1:0:0",
        "FD00::ABCD|fd00::abcd",
        "1::|1::",
        "0:0:1::|0:0:1::",
        "::0.0.1.0|::100",
        "::1:2:3:4:5:6:7|0:1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::|1:2:3:4:5:6:7:0",
        "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304",
        "0001:0db8:0000:0000:0000:0000:0000:0001|1:db8::1",
        "1.2.3.4|1.2.3.4",
        "0.0.0.0|0.0.0.0",
        "255.255.255.255|255.255.255.255",
    })
    void parsesAndFormatsLikeGlibc(String text, String canonical) {
        assertThat(InetAddresses.isLiteral(text)).isTrue();
        assertThat(InetAddresses.format(InetAddresses.parseLiteral(text))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2::3", ":1::", "1:::2",
        "12345::", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::01.2.3.4", "::1.2.3.4:5", "fe80::1%eth0", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "1:", "g::", "01.2.3.4", "1.2.3", "256.1.1.1", "1.2.3.4.5", " 1.2.3.4", "1.2.3.04",
        "1.2.3.4.", "example.com", "1..2.3", "١.2.3.4", "::１"})
    void rejectsWhatInetPtonRejects(String text) {
        assertThat(InetAddresses.isLiteral(text)).isFalse();
        assertThatThrownBy(() -> InetAddresses.parseLiteral(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("`" + text + "' is not a valid IP address");
    }

    @Test
    void ipv4MappedStaysIpv6() {
        assertThat(InetAddresses.parseLiteral("::ffff:1.2.3.4")).isInstanceOf(Inet6Address.class);
        assertThat(InetAddresses.parseLiteral("1.2.3.4")).isInstanceOf(Inet4Address.class);
    }

    @Test
    void formatRejectsOtherLengths() {
        assertThatThrownBy(() -> InetAddresses.format(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }
}
