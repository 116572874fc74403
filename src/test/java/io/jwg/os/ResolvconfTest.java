package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DNS through a stand-in resolvconf script that records its arguments and input. */
class ResolvconfTest {
    @TempDir
    Path dir;

    private Path fakeResolvconf(int exitCode) throws Exception {
        Path log = dir.resolve("calls");
        Path exe = dir.resolve("resolvconf");
        Files.writeString(exe, "#!/bin/sh\necho \"ARGS $*\" >> '" + log + "'\n[ \"$1\" = -a ] && cat >> '" + log + "'\n"
                + (exitCode == 0 ? "exit 0\n" : "echo 'resolvconf: boom' >&2; exit " + exitCode + "\n"));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
        return exe;
    }

    private String calls() throws Exception {
        return Files.readString(dir.resolve("calls"));
    }

    @Test
    void addsAndDeletesLikeWgQuick() throws Exception {
        Resolvconf r = Resolvconf.of(Optional.of(fakeResolvconf(0)), dir.resolve("no-interface-order"));
        Resolvconf.Applied a = r.apply("wg0", List.of(InetAddress.getByName("10.0.0.53"), InetAddress.getByName("fd00::53")),
                List.of("example.com", "~."));
        assertThat(calls()).isEqualTo("ARGS -a wg0 -m 0 -x\nnameserver 10.0.0.53\nnameserver fd00:0:0:0:0:0:0:53\nsearch example.com ~.\n");
        a.close();
        assertThat(calls()).endsWith("ARGS -d wg0 -f\n");
    }

    @Test
    void debianInterfaceOrderGivesThePrefix() throws Exception {
        Path order = dir.resolve("interface-order");
        Files.writeString(order, "# interface-order(5)\nlo.inet6\nlo.inet\nlo.@(dnsmasq|pdnsd)\nlo\ntun*\ntap*\nhso*\nem+([0-9])?(_+([0-9]))*\n");
        Resolvconf r = Resolvconf.of(Optional.of(fakeResolvconf(0)), order);
        assertThat(r.recordName("wg0")).isEqualTo("tun.wg0");
        r.apply("wg0", List.of(InetAddress.getByName("10.0.0.53")), List.of()).close();
        assertThat(calls()).isEqualTo("ARGS -a tun.wg0 -m 0 -x\nnameserver 10.0.0.53\nARGS -d tun.wg0 -f\n");
    }

    @Test
    void aSymlinkedResolvconfGetsThePlainName() throws Exception {
        Path order = dir.resolve("interface-order");
        Files.writeString(order, "tun*\n");
        Path link = dir.resolve("resolvconf-link");
        Files.createSymbolicLink(link, fakeResolvconf(0)); // e.g. to systemd's resolvectl
        assertThat(Resolvconf.of(Optional.of(link), order).recordName("wg0")).isEqualTo("wg0");
    }

    @Test
    void withoutResolvconfNothingHappens() throws Exception {
        Resolvconf r = Resolvconf.of(Optional.empty(), dir.resolve("none"));
        r.apply("wg0", List.of(InetAddress.getByName("10.0.0.53")), List.of()).close(); // logs one warning
        assertThat(dir.resolve("calls")).doesNotExist();
    }

    @Test
    void noServersNoCall() throws Exception {
        Resolvconf r = Resolvconf.of(Optional.of(fakeResolvconf(0)), dir.resolve("none"));
        r.apply("wg0", List.of(), List.of("example.com")).close();
        assertThat(dir.resolve("calls")).doesNotExist();
    }

    @Test
    void failureIsOneLine() throws Exception {
        Resolvconf r = Resolvconf.of(Optional.of(fakeResolvconf(3)), dir.resolve("none"));
        assertThatThrownBy(() -> r.apply("wg0", List.of(InetAddress.getByName("10.0.0.53")), List.of()))
                .hasMessageEndingWith("-a wg0 -m 0 -x' failed: resolvconf: boom");
    }
}
