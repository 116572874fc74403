package io.jwg.cli;

import io.jwg.config.InterfaceName;
import io.jwg.device.Device;
import io.jwg.net.LinuxUdp;
import io.jwg.noise.Clock;
import io.jwg.os.IpCommand;
import io.jwg.os.Privileges;
import io.jwg.tun.LinuxTun;
import io.jwg.tun.Tun;
import io.jwg.uapi.DeviceBackend;
import io.jwg.uapi.UapiPaths;
import io.jwg.uapi.UapiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code jwg userspace [-f] IFACE}: a drop-in for {@code wireguard-go [-f] IFACE}. Creates the TUN
 * interface and its UAPI socket and nothing else; `wg` and `wg-quick` configure the rest. Without
 * -f it detaches once the interface and socket exist, as wireguard-go does.
 */
@Command(name = "userspace", header = "Create an interface served by jwg and its UAPI socket, like wireguard-go.", description = {
        "Create a WireGuard interface served by jwg and its UAPI socket, like wireguard-go; configure it",
        "with wg/wg-quick (WG_QUICK_USERSPACE_IMPLEMENTATION=scripts/jwg-userspace wg-quick up X)."})
final class UserspaceCommand implements Callable<Integer> {
    static final int DEFAULT_MTU = 1420;

    @Option(names = {"-f", "--foreground"}, description = "stay in the foreground")
    boolean foreground;

    @Parameters(paramLabel = "IFACE")
    String ifname;

    @Override
    public Integer call() throws Exception {
        try {
            InterfaceName.validate(ifname);
        } catch (IllegalArgumentException e) {
            System.err.println("jwg: " + e.getMessage());
            return 1;
        }
        if (!foreground) return detach();
        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : new String[] {"TERM", "INT", "HUP"}) Signal.handle(new Signal(sig), s -> stop.countDown());
        Tun tun = null;
        Device device = null;
        UapiServer uapi = null;
        try {
            Privileges.requireNetAdmin();
            IpCommand ip = IpCommand.host();
            if (ip.exists(ifname)) throw new IOException("interface " + ifname + " already exists");
            tun = LinuxTun.create(ifname);
            ip.setMtu(ifname, DEFAULT_MTU);
            device = new Device(null, tun, LinuxUdp::open, 0, DEFAULT_MTU, Clock.SYSTEM);
            uapi = UapiServer.start(ifname, new DeviceBackend(device));
            uapi.onSocketRemoved(stop::countDown);
            device.onTunGone(stop::countDown);
            device.start();
            System.out.println("jwg: interface " + ifname + " created; UAPI socket " + uapi.socketPath());
            stop.await();
            return 0;
        } catch (IOException e) {
            System.err.println("jwg: " + e.getMessage());
            return 1;
        } finally {
            if (uapi != null) uapi.close();
            if (device != null) device.close();
            else if (tun != null) tun.close();
        }
    }

    /** Re-runs itself with -f in a new session and returns once the UAPI socket is there. */
    private int detach() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(UpCommand.selfCommand());
        cmd.addAll(List.of("userspace", "-f", ifname));
        String logName = System.getenv().getOrDefault("JWG_LOG", "/dev/null");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new java.io.File(logName)))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Path sock = UapiPaths.directory().resolve(ifname + ".sock");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(sock)) return 0;
            if (!p.isAlive()) {
                System.err.println("jwg: userspace " + ifname + " failed to start (exit " + p.exitValue() + ")");
                return 1;
            }
            Thread.sleep(20);
        }
        p.destroy();
        System.err.println("jwg: userspace " + ifname + " did not start within 20 s");
        return 1;
    }
}
