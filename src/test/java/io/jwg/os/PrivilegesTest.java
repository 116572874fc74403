package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class PrivilegesTest {
    private static String status(String capEff) {
        return "Name:\tjava\nUid:\t1000\t1000\t1000\t1000\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\n";
    }

    @Test
    void parsesCapEff() {
        assertThat(Privileges.hasCapability(status("000001ffffffffff"), Privileges.CAP_NET_ADMIN)).isTrue();
        assertThat(Privileges.hasCapability(status("0000000000001000"), Privileges.CAP_NET_ADMIN)).isTrue();
        assertThat(Privileges.hasCapability(status("0000000000000000"), Privileges.CAP_NET_ADMIN)).isFalse();
        assertThat(Privileges.hasCapability(status("00000000a80425fb"), Privileges.CAP_NET_ADMIN)).isFalse(); // docker default set
        assertThat(Privileges.hasCapability("Name:\tx\n", Privileges.CAP_NET_ADMIN)).isFalse();
    }

    @Test
    void matchesThisProcess() {
        if (Privileges.hasNetAdmin()) {
            assertThatCode(Privileges::requireNetAdmin).doesNotThrowAnyException();
        } else {
            org.assertj.core.api.Assertions.assertThatThrownBy(Privileges::requireNetAdmin)
                    .hasMessageContaining("CAP_NET_ADMIN").hasMessageNotContaining("\n");
        }
        assertThat(Privileges.isRoot()).isEqualTo(io.jwg.testing.Netns.isRoot());
    }
}
