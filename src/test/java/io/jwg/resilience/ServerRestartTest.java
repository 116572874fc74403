package io.jwg.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.jwg.resilience.WgEnd.Impl;
import io.jwg.testing.Netns;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server restart with production timers: the server is stopped (SIGTERM) and started again as a
 * new process that has no sessions and does not know the client's endpoint. The client is not
 * touched and keeps pinging: its data gets no answer, so after KEEPALIVE_TIMEOUT + REKEY_TIMEOUT
 * (15 s, plus jitter) it must start a new handshake, and pings must succeed again within 20 s of the
 * restart. Against wireguard-go on either side as well. The three pairs run at the same time.
 */
@Timeout(120)
class ServerRestartTest {
    @TempDir Path tmp;

    @Test
    void untouchedClientRecoversAfterTheServerRestarts() throws Exception {
        Netns.assumeRoot();
        try (Lab lab = new Lab(tmp)) {
            Lab.ensureBuilt();
            Parallel p = new Parallel().add("client jwg, server jwg", () -> restart(lab, Impl.JWG, Impl.JWG));
            if (Lab.wireguardGoInstalled()) {
                p.add("client jwg, server wireguard-go", () -> restart(lab, Impl.JWG, Impl.WGGO))
                        .add("client wireguard-go, server jwg", () -> restart(lab, Impl.WGGO, Impl.JWG));
            }
            p.run();
        }
    }

    private void restart(Lab lab, Impl client, Impl server) throws Exception {
        Netns c = lab.ns("rstc"), s = lab.ns("rsts");
        Netns.pair(c, s, "10.73.0.1/24", "10.73.0.2/24");
        WgEnd srv = new WgEnd(lab, s, server, "s", "10.74.0.2/24", 51820);
        WgEnd cli = new WgEnd(lab, c, client, "c", "10.74.0.1/24", 0);
        srv.peer(cli, null, 0);
        cli.peer(srv, "10.73.0.2:51820", 0);
        srv.start();
        cli.start();
        Pinger ping = new Pinger(lab, c, srv.ip(), 0.2);
        ping.awaitReplyAfter(0, Duration.ofSeconds(15), "before the restart");
        long firstHandshake = srv.latestHandshake(cli);
        assertThat(firstHandshake).isPositive();

        srv.stop();
        long killed = System.currentTimeMillis();
        srv.start();
        long up = System.currentTimeMillis();
        assertThat(srv.latestHandshake(cli)).as("the new server process starts without a session").isZero();

        Pinger.Reply back = ping.awaitReplyAfter(up, Duration.ofSeconds(30), () -> "after the restart:\n" + ping.output());
        double recovery = (back.atMillis() - up) / 1000.0;
        System.out.printf("server restart (client %s, server %s): down %.1f s, ping back %.1f s after the restart (%.1f s after the stop)%n",
                client, server, (up - killed) / 1000.0, recovery, (back.atMillis() - killed) / 1000.0);
        assertThat(recovery).as("seconds from the restart to the first ping reply").isLessThanOrEqualTo(20.0);
        assertThat(srv.latestHandshake(cli)).as("a new handshake with the restarted server").isPositive();
        assertThat(srv.endpointOf(cli)).as("the restarted server learnt the client's endpoint").startsWith("10.73.0.1:");
        // and it stays up
        int seq = ping.lastSeq();
        Netns.waitFor(Duration.ofSeconds(5), "more replies", () -> ping.replies().getLast().seq() > seq);
    }
}
