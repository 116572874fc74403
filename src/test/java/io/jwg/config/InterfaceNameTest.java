package io.jwg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"wg0", "a", "wg_home=+.-9", "abcdefghijklmno", "WG-Office", "..."})
    void accepts(String name) {
        assertThat(InterfaceName.validate(name)).isEqualTo(name);
        assertThat(InterfaceName.isValid(name)).isTrue();
    }

    @Test
    void rejectsWithReasons() {
        assertThatThrownBy(() -> InterfaceName.validate("")).hasMessage("Interface name is empty");
        assertThatThrownBy(() -> InterfaceName.validate("abcdefghijklmnop"))
                .hasMessage("Interface name `abcdefghijklmnop' is longer than 15 characters");
        assertThatThrownBy(() -> InterfaceName.validate("wg/0"))
                .hasMessage("Interface name `wg/0' contains `/'; only letters, digits and _=+.- are allowed");
        assertThatThrownBy(() -> InterfaceName.validate("wg 0"))
                .hasMessage("Interface name `wg 0' contains ` '; only letters, digits and _=+.- are allowed");
        assertThatThrownBy(() -> InterfaceName.validate("wg\n0"))
                .hasMessage("Interface name `wg?0' contains `\\x0a'; only letters, digits and _=+.- are allowed");
        assertThatThrownBy(() -> InterfaceName.validate("wgé")).hasMessageContaining("contains `é'");
        assertThatThrownBy(() -> InterfaceName.validate(".")).hasMessage("Interface name `.' is not allowed");
        assertThatThrownBy(() -> InterfaceName.validate("..")).hasMessage("Interface name `..' is not allowed");
        for (String bad : new String[] {"", "abcdefghijklmnop", "wg/0", "wg:0", ".", ".."}) {
            assertThat(InterfaceName.isValid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void fromConfigPath() {
        assertThat(InterfaceName.interfaceNameOf(Path.of("/etc/wireguard/wg0.conf"))).isEqualTo("wg0");
        assertThat(InterfaceName.interfaceNameOf(Path.of("wg-home.conf"))).isEqualTo("wg-home");
        assertThat(InterfaceName.interfaceNameOf(Path.of("a.b.conf"))).isEqualTo("a.b");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/etc/wireguard/wg0")))
                .hasMessage("The config file must be a valid interface name, followed by .conf: `/etc/wireguard/wg0'");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/tmp/wg0.config")))
                .hasMessage("The config file must be a valid interface name, followed by .conf: `/tmp/wg0.config'");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/tmp/.conf")))
                .hasMessage("The config file must be a valid interface name, followed by .conf: `/tmp/.conf' (Interface name is empty)");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/tmp/my vpn.conf")))
                .hasMessage("The config file must be a valid interface name, followed by .conf: `/tmp/my vpn.conf'"
                        + " (Interface name `my vpn' contains ` '; only letters, digits and _=+.- are allowed)");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/tmp/abcdefghijklmnop.conf")))
                .hasMessageEndingWith("(Interface name `abcdefghijklmnop' is longer than 15 characters)");
        assertThatThrownBy(() -> InterfaceName.interfaceNameOf(Path.of("/")))
                .hasMessage("The config file must be a valid interface name, followed by .conf: `/'");
    }
}
