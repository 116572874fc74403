package io.jwg.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jwg.testing.Netns;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class IpCommandTest {
    private Netns ns;
    private IpCommand ip;

    @Test
    void parsing() {
        assertThat(IpCommand.mtuIn("10.0.0.1 dev eth0 src 10.0.0.2 uid 0 \\    cache mtu 1400")).hasValue(1400);
        assertThat(IpCommand.mtuIn("default via 10.0.0.1 dev eth0 mtu lock 1280")).hasValue(1280);
        assertThat(IpCommand.mtuIn("10.0.0.1 dev eth0 src 10.0.0.2")).isEmpty();
        assertThat(IpCommand.tokenAfter("10.0.0.1 via 1.2.3.4 dev eth0 src 10.0.0.2", "dev")).isEqualTo("eth0");
        assertThat(Commands.oneLine("RTNETLINK answers: File exists\n\nmore\n")).isEqualTo("RTNETLINK answers: File exists; more");
    }

    @BeforeEach
    void setUp(org.junit.jupiter.api.TestInfo info) {
        if (info.getTestMethod().orElseThrow().getName().equals("parsing")) {
            return;
        }
        Netns.assumeRoot();
        ns = Netns.create("ipcmd");
        // (no "dummy" driver on every kernel: a veth pair with the far end up does as well)
        ns.run("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ns.run("ip", "link", "set", "d1", "up");
        ip = IpCommand.inNamespace(ns.name());
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void linkAddressAndRouteLifecycle() throws Exception {
        assertThat(ip.exists("d0")).isTrue();
        assertThat(ip.exists("nosuch0")).isFalse();
        ip.setMtu("d0", 1400);
        assertThat(ip.linkMtu("d0")).isEqualTo(1400);
        ip.linkUp("d0");
        assertThat(ns.run("ip", "-o", "link", "show", "d0")).contains("UP");
        ip.addAddress("d0", "10.230.0.1/24");
        ip.addAddress("d0", "fd00:230::1/64");
        assertThat(ns.run("ip", "-o", "addr", "show", "dev", "d0")).contains("10.230.0.1/24").contains("fd00:230::1/64");
        ip.addRoute("10.230.1.0/24", "d0", "51820");
        ip.addRoute("fd00:231::/64", "d0", "51820");
        ip.addRoute("10.230.2.0/24", "d0");
        assertThat(ns.run("ip", "route", "show", "table", "51820")).contains("10.230.1.0/24 dev d0");
        assertThat(ns.run("ip", "-6", "route", "show", "table", "51820")).contains("fd00:231::/64 dev d0");
        assertThat(ns.run("ip", "route", "show")).contains("10.230.2.0/24 dev d0");
        ip.deleteRoute("10.230.1.0/24", "d0", "51820");
        ip.deleteRoute("fd00:231::/64", "d0", "51820");
        ip.deleteRoute("10.230.2.0/24", "d0");
        assertThat(ns.run("ip", "route", "show", "table", "all")).doesNotContain("10.230.1.0").doesNotContain("10.230.2.0");
        ip.deleteAddress("d0", "10.230.0.1/24");
        ip.deleteAddress("d0", "fd00:230::1/64");
        assertThat(ns.run("ip", "-o", "addr", "show", "dev", "d0")).doesNotContain("10.230.0.1").doesNotContain("fd00:230::1");
        ip.linkDown("d0");
        ip.deleteLink("d0");
        assertThat(ip.exists("d0")).isFalse();
    }

    @Test
    void failuresAreOneLineWithCommandAndStderr() throws Exception {
        assertThatThrownBy(() -> ip.setMtu("nosuch0", 1400))
                .isInstanceOf(IpCommand.IpCommandException.class)
                .hasMessageContaining("ip -n " + ns.name() + " link set dev nosuch0 mtu 1400")
                .hasMessageContaining("nosuch0")
                .hasMessageNotContaining("\n")
                .satisfies(e -> assertThat(((IpCommand.IpCommandException) e).exitCode()).isNotZero());
        ip.addAddress("d0", "10.230.0.1/24");
        assertThatThrownBy(() -> ip.addAddress("d0", "10.230.0.1/24"))
                .hasMessageMatching(".*(File exists|already assigned).*").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> IpCommand.inNamespace("jwg-no-such-netns").linkUp("lo"))
                .isInstanceOf(IpCommand.IpCommandException.class).hasMessageContaining("jwg-no-such-netns");
    }

    @Test
    void configureLinkRunsAsOneBatchAndNamesTheFailingCommand() throws Exception {
        ip.configureLink("d0", 1400, List.of("10.230.0.1/24", "fd00:230::1/64"));
        assertThat(ip.linkMtu("d0")).isEqualTo(1400);
        assertThat(ns.run("ip", "-o", "link", "show", "d0")).contains("UP");
        assertThat(ns.run("ip", "-o", "addr", "show", "dev", "d0")).contains("10.230.0.1/24").contains("fd00:230::1/64");
        assertThatThrownBy(() -> ip.configureLink("d0", 1380, List.of("10.230.0.1/24")))
                .isInstanceOf(IpCommand.IpCommandException.class)
                .hasMessageContaining("'ip -n " + ns.name() + " address add 10.230.0.1/24 dev d0' failed")
                .hasMessageMatching(".*(File exists|already assigned).*")
                .hasMessageNotContaining("Command failed").hasMessageNotContaining("\n");
        assertThat(ip.linkMtu("d0")).isEqualTo(1380); // the commands before the failing one ran
        assertThatThrownBy(() -> ip.configureLink("nosuch0", 1400, List.of()))
                .isInstanceOf(IpCommand.IpCommandException.class)
                .hasMessageContaining("link set dev nosuch0 mtu 1400' failed").hasMessageContaining("nosuch0");
    }

    @Test
    void wgQuickMtuDerivation() throws Exception {
        ip.setMtu("d0", 1400);
        ip.linkUp("d0");
        ip.addAddress("d0", "10.230.0.1/24");
        ip.run("route", "add", "10.230.2.0/24", "dev", "d0", "mtu", "1300");
        InetAddress onLink = InetAddress.getByName("10.230.0.5");
        InetAddress viaMtuRoute = InetAddress.getByName("10.230.2.5");
        InetAddress unreachable = InetAddress.getByName("10.99.9.9");
        assertThat(ip.routeMtu(onLink)).hasValue(1400);
        assertThat(ip.routeMtu(viaMtuRoute)).hasValue(1300);
        assertThat(ip.routeMtu(unreachable)).isEmpty();
        assertThat(ip.defaultRouteMtu()).isEmpty();
        assertThat(ip.autoMtu(List.of())).isEqualTo(1500 - 80);
        assertThat(ip.autoMtu(List.of(viaMtuRoute))).isEqualTo(1300 - 80);
        assertThat(ip.autoMtu(List.of(viaMtuRoute, onLink, unreachable))).isEqualTo(1400 - 80);
        ip.run("route", "add", "default", "dev", "d0");
        assertThat(ip.defaultRouteMtu()).isEqualTo(OptionalInt.of(1400));
        assertThat(ip.autoMtu(List.of())).isEqualTo(1400 - 80);
        assertThat(ip.autoMtu(List.of(unreachable))).isEqualTo(1400 - 80); // now routed via the default route
    }
}
