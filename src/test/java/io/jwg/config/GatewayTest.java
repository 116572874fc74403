package io.jwg.config;

import static io.jwg.config.ConfigTest.IFACE;
import static io.jwg.config.ConfigTest.PUB2;
import static io.jwg.config.ConfigTest.error;
import static io.jwg.config.ConfigTest.iface;
import static io.jwg.config.ConfigTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** jwg's Gateway key: parsing, errors with file:line, round trip. */
class GatewayTest {
    @Test
    void parsesValues() {
        assertThat(Gateway.parse("eth0")).contains(new Gateway.Uplink("eth0"));
        assertThat(Gateway.parse("  enp0s31f6 ")).contains(new Gateway.Uplink("enp0s31f6"));
        assertThat(Gateway.parse("br-lan.10")).contains(new Gateway.Uplink("br-lan.10"));
        assertThat(Gateway.parse("auto")).contains(Gateway.AUTO);
        assertThat(Gateway.parse("AUTO")).contains(Gateway.AUTO);
        assertThat(Gateway.parse("off")).isEmpty();
        assertThat(Gateway.parse("Off")).isEmpty();
        assertThat(Gateway.parse("")).isEmpty();
        assertThat(Gateway.AUTO).hasToString("auto");
        assertThat(new Gateway.Uplink("eth0")).hasToString("eth0");
    }

    @Test
    void rejectsBadValues() {
        assertThatThrownBy(() -> Gateway.parse("eth 0")).hasMessageStartingWith("`eth 0' is not off, auto or a network interface name (");
        assertThatThrownBy(() -> Gateway.parse("a-very-long-interface-name"))
                .hasMessageContaining("longer than 15 characters");
        assertThatThrownBy(() -> Gateway.parse("eth0/1")).hasMessageContaining("contains `/'");
        assertThatThrownBy(() -> Gateway.parse("10.0.0.1:80")).hasMessageContaining("is not off, auto or a network interface name");
        assertThatThrownBy(() -> new Gateway.Uplink("auto")).hasMessageContaining("cannot be named");
    }

    @Test
    void inInterfaceSection() throws Exception {
        assertThat(iface("").gateway()).isEmpty();
        assertThat(iface("Gateway = eth0").gateway()).contains(new Gateway.Uplink("eth0"));
        assertThat(iface("gateway=auto").gateway()).contains(Gateway.AUTO);
        assertThat(iface("Gateway = eth0\nGateway = off").gateway()).isEmpty(); // the last one wins
        assertThat(iface("Gateway = eth0\nGateway =").gateway()).isEmpty();
        assertThat(iface("Gateway = eth0 # the uplink").gateway()).contains(new Gateway.Uplink("eth0"));
    }

    @Test
    void errorsNameFileAndLine() {
        assertThat(error(IFACE + "Address = 10.0.0.1/24\nGateway = eth 0"))
                .startsWith("wg0.conf:4: Gateway: `eth 0' is not off, auto or a network interface name (");
        assertThat(error(IFACE + "Gateway = eth0/1")).startsWith("wg0.conf:3: Gateway: `eth0/1' is not off, auto or a network interface name");
        assertThat(error(IFACE + "[Peer]\nPublicKey = " + PUB2 + "\nGateway = eth0"))
                .isEqualTo("wg0.conf:5: unknown key `Gateway' in [Peer] section (it belongs in the [Interface] section)");
    }

    @Test
    void examplesParse() throws Exception {
        Config server = Config.parse(java.nio.file.Path.of("keys-example/server.conf"));
        Config client = Config.parse(java.nio.file.Path.of("keys-example/client.conf"));
        assertThat(server.interfaceConfig().gateway()).contains(Gateway.AUTO);
        assertThat(client.interfaceConfig().gateway()).isEmpty();
        assertThat(client.peers().getFirst().publicKey()).isEqualTo(server.interfaceConfig().privateKey().publicKey());
        assertThat(server.peers().getFirst().publicKey()).isEqualTo(client.interfaceConfig().privateKey().publicKey());
    }

    @Test
    void roundTripsThroughText() throws Exception {
        Config c = parse(IFACE + "Address = 10.0.0.1/24\nTable = off\nGateway = auto\n[Peer]\nPublicKey = " + PUB2 + "\nAllowedIPs = 10.0.0.2/32\n");
        String text = c.toWgQuickText();
        assertThat(text).contains("Table = off\nGateway = auto\n");
        assertThat(parse(text)).isEqualTo(c);
        assertThat(c.toWgText()).doesNotContain("Gateway"); // wg setconf does not know it
        assertThat(c.interfaceConfig().toString()).contains("gateway=auto");
        InterfaceConfig other = c.interfaceConfig().newBuilder().gateway(new Gateway.Uplink("eth1")).build();
        assertThat(other).isNotEqualTo(c.interfaceConfig());
        assertThat(other.newBuilder().clearGateway().build().gateway()).isEqualTo(Optional.empty());
    }
}
