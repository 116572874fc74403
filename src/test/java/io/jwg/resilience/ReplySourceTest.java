package io.jwg.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.resilience.WgEnd.Impl;
import io.jwg.testing.Netns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other side of roaming: a server with two addresses on one interface, reached by the client
 * at the second one, must answer from that address (wireguard-go and the kernel keep the
 * destination of the peer's packets as their "sticky" source, with IP_PKTINFO). Answering from
 * the kernel's preferred source instead works on a flat link, where the client just roams to the
 * other address, but not through a NAT or a stateful firewall in front of the client, which drop
 * replies from an address the client never sent to.
 */
@Timeout(60)
class ReplySourceTest {
    @TempDir Path tmp;

    /** Reference: wireguard-go answers from the address it was reached at. */
    @Test
    void wireguardGoServerAnswersFromTheAddressItWasReachedAt() throws Exception {
        check(Impl.WGGO);
    }

    /** jwg too (LinuxUdp's sticky source), not from 10.81.0.2, the interface's primary address. */
    @Test
    void jwgServerAnswersFromTheAddressItWasReachedAt() throws Exception {
        check(Impl.JWG);
    }

    private void check(Impl server) throws Exception {
        Netns.assumeRoot();
        if (server == Impl.WGGO) Assumptions.assumeTrue(Lab.wireguardGoInstalled(), "wireguard-go not installed");
        try (Lab lab = new Lab(tmp)) {
            Netns c = lab.ns("srcc"), s = lab.ns("srcs");
            Netns.Veth veth = Netns.pair(c, s, "10.81.0.1/24", "10.81.0.2/24");
            s.addAddress(veth.ifB(), "10.81.0.3/24");
            WgEnd srv = new WgEnd(lab, s, server, "s", "10.82.0.2/24", 51820);
            WgEnd cli = new WgEnd(lab, c, Impl.JWG, "c", "10.82.0.1/24", 0);
            srv.peer(cli, null, 0);
            cli.peer(srv, "10.81.0.3:51820", 0);
            srv.start();
            Tcpdump wire = new Tcpdump(lab, s, veth.ifB(), "udp port 51820");
            cli.start();
            Netns.waitFor(Duration.ofSeconds(15), "a ping through the tunnel", () -> c.exec("ping", "-c1", "-W1", srv.ip()).ok());
            assertThat(c.exec("ping", "-c3", "-i", "0.2", "-W1", srv.ip()).ok()).isTrue();
            Thread.sleep(300);
            List<String> sources = wire.datagrams().stream().filter(d -> !d.from().startsWith("10.81.0.1.")).map(Tcpdump.Datagram::from).distinct().toList();
            assertThat(sources).as("sources of the server's datagrams:%n%s", wire.output()).containsExactly("10.81.0.3.51820");
            assertThat(cli.endpointOf(srv)).isEqualTo("10.81.0.3:51820");
        }
    }
}
