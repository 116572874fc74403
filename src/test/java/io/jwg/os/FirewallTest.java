package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FirewallTest {
    @Test
    void tableNames() {
        assertThat(Firewall.tableName("jwg-", "wg0")).isEqualTo("jwg-wg0");
        assertThat(Firewall.tableName("jwg-gw-", "a=b+c.d_e-f")).isEqualTo("jwg-gw-a_b_c.d_e-f");
        assertThatThrownBy(() -> new Firewall.Rules("inet jwg wg0", "", "", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Firewall.Rules("bridge x", "", "", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nftScriptReplacesAnyLeftoverAtomically() {
        Firewall.Rules r = new Firewall.Rules("inet jwg-wg0", "\tchain c {\n\t}\n", "", "");
        assertThat(r.nftScript()).isEqualTo("""
                table inet jwg-wg0 {}
                delete table inet jwg-wg0
                table inet jwg-wg0 {
                \tchain c {
                \t}
                }
                """);
    }

    @Test
    void iptablesDeletionTurnsEveryAddIntoDelete() {
        String add = """
                *filter
                -I FORWARD -i wg0 -m comment --comment "jwg gateway wg0" -j ACCEPT
                COMMIT
                *nat
                -A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
                COMMIT
                """;
        assertThat(Firewall.iptablesDeletion(add)).isEqualTo("""
                *filter
                -D FORWARD -i wg0 -m comment --comment "jwg gateway wg0" -j ACCEPT
                COMMIT
                *nat
                -D POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE
                COMMIT
                """);
    }

    @Test
    void backendCanBeForced() {
        String old = System.getProperty("jwg.firewall");
        try {
            System.setProperty("jwg.firewall", "iptables");
            assertThat(Firewall.backend()).isEqualTo(Firewall.Backend.IPTABLES);
            System.setProperty("jwg.firewall", "nft");
            assertThat(Firewall.backend()).isEqualTo(Firewall.Backend.NFT);
        } finally {
            if (old == null) System.clearProperty("jwg.firewall");
            else System.setProperty("jwg.firewall", old);
        }
    }

    @Test
    void noBackendIsAClearError() {
        assertThatThrownBy(() -> Firewall.install(Firewall.Backend.NONE, new Firewall.Rules("inet jwg-x", "", "", "")))
                .hasMessage("neither nft nor iptables-restore is installed (install nftables)");
    }
}
