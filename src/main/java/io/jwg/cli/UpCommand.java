package io.jwg.cli;

import io.jwg.config.Config;
import io.jwg.config.ConfigException;
import io.jwg.config.ConfigFiles;
import io.jwg.config.InterfaceName;
import io.jwg.api.SystemTunnel;
import io.jwg.api.Tunnel;
import io.jwg.api.TunnelConfig;
import io.jwg.os.SdNotify;
import io.jwg.quick.Preload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/** {@code jwg up CONFIG}: brings a tunnel up from a wg-quick config and runs until SIGTERM/SIGINT. */
@Command(name = "up", header = "Bring up a WireGuard interface from a wg-quick config and run until stopped.", description = {
        "Bring up a WireGuard interface from a wg-quick config file and run in the foreground until",
        "SIGINT/SIGTERM, then remove everything that was set up. The interface is named after the file",
        "(wg0.conf -> wg0); a bare name means /etc/jwg/NAME.conf, or /etc/wireguard/NAME.conf if that does not exist.",
        "SIGHUP re-reads the file and applies what changed, as `jwg syncconf` does, without dropping sessions.",
        "Under systemd (Type=notify) it reports readiness once the interface is up."})
final class UpCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CONFIG", description = "config file, or interface name")
    String config;

    @Option(names = {"-d", "--detach"}, description = "run in the background (pid file and log under /run/jwg/)")
    boolean detach;

    @Option(names = "--keylog", paramLabel = "FILE",
            description = "append handshake secrets to FILE (0600) in Wireshark's WireGuard key log format, to decrypt a capture of this tunnel; debugging only")
    Path keyLog;

    /**
     * {@code [-v] up [-v] [-d] [--keylog FILE] CONFIG} parsed without picocli (see Main), with the
     * same result picocli gives (UpCommandTest checks that). Null for anything else (other
     * commands, help, bundled, repeated or unknown options, a CONFIG starting with '-'): picocli
     * handles those, and reports the mistakes.
     */
    record Simple(UpCommand command, boolean verbose) {
        static Simple parse(String[] args) {
            int i = 0;
            boolean verbose = false;
            if (i < args.length && isVerbose(args[i])) {
                verbose = true;
                i++;
            }
            if (i >= args.length || !args[i].equals("up")) return null;
            UpCommand c = new UpCommand();
            for (i++; i < args.length; i++) {
                String a = args[i];
                if (isVerbose(a) && !verbose) {
                    verbose = true;
                } else if ((a.equals("-d") || a.equals("--detach")) && !c.detach) {
                    c.detach = true;
                } else if (a.equals("--keylog") && i + 1 < args.length && !args[i + 1].startsWith("-") && c.keyLog == null) {
                    c.keyLog = Path.of(args[++i]);
                } else if (a.startsWith("--keylog=") && a.length() > "--keylog=".length() && c.keyLog == null) {
                    c.keyLog = Path.of(a.substring("--keylog=".length()));
                } else if (!a.startsWith("-") && c.config == null) {
                    c.config = a;
                } else {
                    return null;
                }
            }
            return c.config == null ? null : new Simple(c, verbose);
        }

        private static boolean isVerbose(String a) {
            return a.equals("-v") || a.equals("--verbose");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!detach) Preload.start(); // native bindings and JIT warm-up, while the config is read
        Path path = ConfigFiles.locate(config);
        String name;
        Config cfg;
        try {
            if (java.nio.file.Files.exists(path)) ConfigFiles.permissionWarning(path).ifPresent(System.err::println);
        } catch (IOException ignored) {
            // unreadable: reported below
        }
        try {
            name = InterfaceName.interfaceNameOf(path);
            cfg = Config.parse(path);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("jwg: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("jwg: cannot read " + path + ": " + Errors.describe(e));
            return 1;
        }
        if (detach) return detach(name, path);

        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : new String[] {"TERM", "INT"}) Signal.handle(new Signal(sig), s -> stop.countDown());
        Signal.handle(new Signal("HUP"), s -> { }); // ignored until the tunnel is up
        SystemTunnel t;
        try {
            t = Tunnel.up(TunnelConfig.of(name, cfg), keyLog);
        } catch (IOException e) {
            System.err.println("jwg: " + e.getMessage());
            return 1;
        }
        t.onInterfaceGone(stop::countDown);
        t.saveConfigTo(path);
        Thread hook = new Thread(t::close);
        Runtime.getRuntime().addShutdownHook(hook);
        RunDir.writePid(name);
        Signal.handle(new Signal("HUP"), s -> reload(t, name, path));
        notifySystemd(() -> SdNotify.ready("interface " + name + " is up, listening on UDP port " + t.listenPort()));
        try {
            stop.await();
        } finally {
            notifySystemd(SdNotify::stopping);
            System.out.println("[#] shutting down " + name);
            t.close();
            RunDir.removePid(name);
        }
        return 0;
    }

    /**
     * SIGHUP: re-reads the config file and applies what differs through the interface's UAPI path
     * (as `jwg syncconf` would); on an error the running configuration stays as it is.
     */
    static synchronized void reload(SystemTunnel t, String name, Path path) {
        notifySystemd(SdNotify::reloading);
        try {
            Config fresh = Config.parse(path);
            boolean changed = t.sync(TunnelConfig.of(name, fresh));
            System.out.println("[#] reloaded " + path + (changed ? ": changes applied" : ": nothing changed"));
        } catch (ConfigException e) {
            System.err.println("jwg: reload failed, configuration unchanged: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            System.err.println("jwg: reload of " + path + " failed: " + Errors.describe(e));
        } finally {
            notifySystemd(() -> SdNotify.ready("interface " + name + " is up, listening on UDP port " + t.listenPort()));
        }
    }

    private interface Notification {
        boolean send() throws IOException;
    }

    private static void notifySystemd(Notification n) {
        try {
            n.send();
        } catch (IOException | RuntimeException e) {
            System.err.println("jwg: cannot notify systemd: " + Errors.describe(e));
        }
    }

    /** Starts "jwg up CONFIG" as a new session leader with output in /run/jwg/NAME.log; waits until ready. */
    private int detach(String name, Path path) throws Exception {
        RunDir.ensure();
        if (RunDir.readPid(name).isPresent() && ProcessHandle.of(RunDir.readPid(name).getAsLong()).isPresent()) {
            System.err.println("jwg: " + name + " is already running (pid " + RunDir.readPid(name).getAsLong() + ")");
            return 1;
        }
        Files.deleteIfExists(RunDir.pidFile(name));
        List<String> cmd = new ArrayList<>(List.of("setsid"));
        cmd.addAll(selfCommand());
        cmd.add("up");
        if (keyLog != null) {
            cmd.add("--keylog");
            cmd.add(keyLog.toAbsolutePath().toString());
        }
        cmd.add(path.toAbsolutePath().toString());
        Path log = RunDir.logFile(name);
        Files.deleteIfExists(log);
        Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // peers and endpoints are private
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(RunDir.pidFile(name))) {
                System.out.println("jwg: " + name + " is up (pid " + RunDir.readPid(name).orElse(-1) + ", log " + log + ")");
                return 0;
            }
            if (!p.isAlive()) {
                System.err.print(Files.readString(log));
                System.err.println("jwg: " + name + " failed to start");
                return 1;
            }
            Thread.sleep(50);
        }
        p.destroy();
        System.err.println("jwg: " + name + " did not come up within 30 s (see " + log + ")");
        return 1;
    }

    /** The command that started this JVM (java, its options, -jar/-cp and the main class or jar). */
    static List<String> selfCommand() {
        String launcher = System.getenv("JWG_LAUNCHER");
        if (launcher != null && Files.isExecutable(Path.of(launcher))) return List.of(launcher);
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        cmd.add(info.command().orElse("java"));
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) cmd.add(a);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }
}
