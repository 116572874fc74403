package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlTest {
    @TempDir
    Path root;

    private Sysctl sysctl(String key, String value) throws Exception {
        Path f = root.resolve(key.replace('.', '/'));
        Files.createDirectories(f.getParent());
        Files.writeString(f, value + "\n");
        return Sysctl.at(root);
    }

    @Test
    void setsAndRestores() throws Exception {
        Sysctl s = sysctl("net.ipv4.ip_forward", "0");
        Sysctl.Change c = s.set("net.ipv4.ip_forward", "1");
        assertThat(c.changed()).isTrue();
        assertThat(c.previous()).isEqualTo("0");
        assertThat(s.read("net.ipv4.ip_forward")).contains("1");
        c.restore(() -> false);
        assertThat(s.read("net.ipv4.ip_forward")).contains("0");
    }

    @Test
    void leavesAloneWhatWasAlreadySet() throws Exception {
        Sysctl s = sysctl("net.ipv4.conf.all.src_valid_mark", "1");
        Sysctl.Change c = s.set("net.ipv4.conf.all.src_valid_mark", "1");
        assertThat(c.changed()).isFalse();
        c.restore(() -> {
            throw new AssertionError("not asked when nothing changed");
        });
        assertThat(s.read("net.ipv4.conf.all.src_valid_mark")).contains("1");
    }

    @Test
    void doesNotRestoreWhenStillNeededOrChangedMeanwhile() throws Exception {
        Sysctl s = sysctl("net.ipv4.ip_forward", "0");
        s.set("net.ipv4.ip_forward", "1").restore(() -> true);
        assertThat(s.read("net.ipv4.ip_forward")).contains("1");

        s.write("net.ipv4.ip_forward", "0");
        Sysctl.Change c = s.set("net.ipv4.ip_forward", "1");
        s.write("net.ipv4.ip_forward", "2"); // someone else
        c.restore(() -> false);
        assertThat(s.read("net.ipv4.ip_forward")).contains("2");
    }

    @Test
    void missingParameters() throws Exception {
        Sysctl s = Sysctl.at(root);
        assertThat(s.read("net.ipv6.conf.all.forwarding")).isEmpty();
        assertThatThrownBy(() -> s.set("net.ipv6.conf.all.forwarding", "1"))
                .hasMessage("cannot set sysctl net.ipv6.conf.all.forwarding=1: no such parameter");
        assertThatThrownBy(() -> s.read("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheRealOnes() throws Exception {
        assertThat(Sysctl.system().read("net.ipv4.ip_forward")).hasValueSatisfying(v -> assertThat(v).matches("[01]"));
    }
}
