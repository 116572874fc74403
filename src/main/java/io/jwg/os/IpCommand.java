package io.jwg.os;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Network configuration through iproute2's {@code ip} command, as wg-quick does it.
 *
 * <p>{@link #host()} works in the namespace of this process; {@link #inNamespace(String)} runs every command
 * with {@code ip -n NAME}. Every failure is an {@link IpCommandException} whose message is one line: the
 * command and what {@code ip} printed on stderr.
 */
public final class IpCommand {

    /** wg-quick's overhead allowance: the tunnel MTU is the underlying MTU minus 80. */
    public static final int WG_OVERHEAD = 80;
    /** What wg-quick assumes when no route tells it the MTU. */
    public static final int FALLBACK_MTU = 1500;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final String netns;
    private final Duration timeout;

    private IpCommand(String netns, Duration timeout) {
        this.netns = netns;
        this.timeout = timeout;
    }

    /** Commands in this process's network namespace. */
    public static IpCommand host() {
        return new IpCommand(null, DEFAULT_TIMEOUT);
    }

    /** Commands in the named namespace ({@code ip -n NAME ...}). */
    public static IpCommand inNamespace(String netns) {
        return new IpCommand(Objects.requireNonNull(netns, "netns"), DEFAULT_TIMEOUT);
    }

    /** The same, but each command is killed and fails after {@code timeout}. */
    public IpCommand withTimeout(Duration timeout) {
        return new IpCommand(netns, Objects.requireNonNull(timeout, "timeout"));
    }

    // ------------------------------------------------------------------------------------------ links

    /** {@code ip link set dev IF up} */
    public void linkUp(String ifname) throws IpCommandException {
        run("link", "set", "dev", ifname, "up");
    }

    private static void checkMtu(int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU out of range (68-65535): " + mtu);
        }
    }

    /** {@code ip link set dev IF down} */
    public void linkDown(String ifname) throws IpCommandException {
        run("link", "set", "dev", ifname, "down");
    }

    /** {@code ip link set dev IF mtu N} */
    public void setMtu(String ifname, int mtu) throws IpCommandException {
        checkMtu(mtu);
        run("link", "set", "dev", ifname, "mtu", Integer.toString(mtu));
    }

    /**
     * {@code ip link set dev IF mtu N}, {@code ip address add CIDR dev IF} for each address, then
     * {@code ip link set dev IF up}, with one {@code ip -batch} process instead of one per command
     * (each costs milliseconds, and this is on the way to a usable interface).
     */
    public void configureLink(String ifname, int mtu, List<String> cidrs) throws IpCommandException {
        checkMtu(mtu);
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("link", "set", "dev", ifname, "mtu", Integer.toString(mtu)));
        for (String cidr : cidrs) commands.add(List.of("address", "add", cidr, "dev", ifname)); // family from the address
        commands.add(List.of("link", "set", "dev", ifname, "up"));
        batch(commands);
    }

    /**
     * Runs the commands (each the arguments of one {@code ip} command, without global options such
     * as -4) in order with {@code ip -batch -}, stopping at the first that fails; the failure names
     * that command and what ip printed for it.
     */
    public void batch(List<List<String>> commands) throws IpCommandException {
        StringBuilder in = new StringBuilder();
        for (List<String> c : commands) {
            for (String a : c) {
                if (!BATCH_SAFE.matcher(a).matches()) { // ip's batch syntax would split or quote it: one by one
                    for (List<String> each : commands) run(each.toArray(String[]::new));
                    return;
                }
            }
            in.append(String.join(" ", c)).append('\n');
        }
        Result r = execute(List.of("-batch", "-"), in.toString());
        if (r.exitCode == 0) return;
        java.util.regex.Matcher m = BATCH_FAILED.matcher(r.stderr);
        int line = m.find() ? Integer.parseInt(m.group(1)) : 0;
        String error = BATCH_FAILED.matcher(r.stderr).replaceAll("");
        if (line < 1 || line > commands.size()) throw new IpCommandException(r.command, r.exitCode, error.isBlank() ? r.stderr : error);
        throw new IpCommandException(commandLine(commands.get(line - 1)), r.exitCode, error);
    }

    private static final java.util.regex.Pattern BATCH_SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9_.:/%@+=-]+");
    private static final java.util.regex.Pattern BATCH_FAILED = java.util.regex.Pattern.compile("Command failed -:(\\d+)\\s*");

    /** {@code ip link del dev IF} */
    public void deleteLink(String ifname) throws IpCommandException {
        run("link", "del", "dev", ifname);
    }

    /** Whether a network interface of that name exists. */
    public boolean exists(String ifname) throws IpCommandException {
        Result r = execute(List.of("link", "show", "dev", ifname));
        if (r.exitCode == 0) {
            return true;
        }
        if (r.stderr.contains("does not exist") || r.stderr.contains("Cannot find device")) {
            return false;
        }
        throw r.failure();
    }

    /** The MTU of an interface ({@code ip -o link show dev IF}). */
    public int linkMtu(String ifname) throws IpCommandException {
        String out = run("-o", "link", "show", "dev", ifname);
        OptionalInt mtu = mtuIn(out);
        if (mtu.isEmpty()) {
            throw new IpCommandException(commandLine(List.of("-o", "link", "show", "dev", ifname)), 0,
                    "no mtu in output: " + Commands.oneLine(out));
        }
        return mtu.getAsInt();
    }

    // ------------------------------------------------------------------------------------------ addresses

    /** {@code ip -4|-6 address add CIDR dev IF} (family from the address). */
    public void addAddress(String ifname, String cidr) throws IpCommandException {
        run(family(cidr), "address", "add", cidr, "dev", ifname);
    }

    /** {@code ip -4|-6 address del CIDR dev IF} */
    public void deleteAddress(String ifname, String cidr) throws IpCommandException {
        run(family(cidr), "address", "del", cidr, "dev", ifname);
    }

    // ------------------------------------------------------------------------------------------ routes

    /** {@code ip -4|-6 route add CIDR dev IF} in the main table. */
    public void addRoute(String cidr, String ifname) throws IpCommandException {
        addRoute(cidr, ifname, null);
    }

    /** {@code ip -4|-6 route add CIDR dev IF [table T]} (table: a number or name; null = main). */
    public void addRoute(String cidr, String ifname, String table) throws IpCommandException {
        run(routeArgs("add", cidr, ifname, table));
    }

    /** {@code ip -4|-6 route del CIDR dev IF} in the main table. */
    public void deleteRoute(String cidr, String ifname) throws IpCommandException {
        deleteRoute(cidr, ifname, null);
    }

    /** {@code ip -4|-6 route del CIDR dev IF [table T]} */
    public void deleteRoute(String cidr, String ifname, String table) throws IpCommandException {
        run(routeArgs("del", cidr, ifname, table));
    }

    private static String[] routeArgs(String verb, String cidr, String ifname, String table) {
        List<String> args = new ArrayList<>(List.of(family(cidr), "route", verb, cidr, "dev", ifname));
        if (table != null) {
            args.add("table");
            args.add(table);
        }
        return args.toArray(String[]::new);
    }

    private static String family(String cidr) {
        return cidr.contains(":") ? "-6" : "-4";
    }

    // ------------------------------------------------------------------------------------------ MTU (wg-quick)

    /**
     * The MTU of the route to {@code destination}, as wg-quick finds it: the route's {@code mtu} attribute
     * from {@code ip route get}, else the MTU of the route's device. Empty if there is no route.
     */
    public OptionalInt routeMtu(InetAddress destination) throws IpCommandException {
        List<String> args = List.of(destination instanceof Inet6Address ? "-6" : "-4", "-o", "route", "get",
                destination.getHostAddress());
        Result r = execute(args);
        if (r.exitCode != 0) {
            return OptionalInt.empty(); // e.g. "Network is unreachable"
        }
        return mtuOfRoute(r.stdout);
    }

    /** The MTU of the (first IPv4) default route, as wg-quick reads it; empty if there is none. */
    public OptionalInt defaultRouteMtu() throws IpCommandException {
        String out = run("-4", "-o", "route", "show", "default");
        String first = out.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        return first.isEmpty() ? OptionalInt.empty() : mtuOfRoute(first);
    }

    /**
     * wg-quick's automatic tunnel MTU: the largest route MTU towards the peers' endpoints; if none is known,
     * that of the default route; if none either, 1500 — minus 80.
     */
    public int autoMtu(Collection<InetAddress> endpoints) throws IpCommandException {
        int mtu = 0;
        for (InetAddress e : endpoints) {
            OptionalInt m = routeMtu(e);
            if (m.isPresent() && m.getAsInt() > mtu) {
                mtu = m.getAsInt();
            }
        }
        if (mtu == 0) {
            mtu = defaultRouteMtu().orElse(0);
        }
        if (mtu <= 0) {
            mtu = FALLBACK_MTU;
        }
        return mtu - WG_OVERHEAD;
    }

    private OptionalInt mtuOfRoute(String routeLine) throws IpCommandException {
        OptionalInt mtu = mtuIn(routeLine);
        if (mtu.isPresent()) {
            return mtu;
        }
        String dev = tokenAfter(routeLine, "dev");
        return dev == null ? OptionalInt.empty() : OptionalInt.of(linkMtu(dev));
    }

    /** "mtu 1400" or "mtu lock 1400" anywhere in the text. */
    static OptionalInt mtuIn(String text) {
        String[] t = text.trim().split("\\s+");
        for (int i = 0; i + 1 < t.length; i++) {
            if (t[i].equals("mtu")) {
                String v = t[i + 1].equals("lock") && i + 2 < t.length ? t[i + 2] : t[i + 1];
                if (v.matches("\\d{1,6}")) {
                    return OptionalInt.of(Integer.parseInt(v));
                }
            }
        }
        return OptionalInt.empty();
    }

    static String tokenAfter(String text, String key) {
        String[] t = text.trim().split("\\s+");
        for (int i = 0; i + 1 < t.length; i++) {
            if (t[i].equals(key)) {
                return t[i + 1];
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ running

    /** Runs {@code ip [-n NS] ARGS...}; returns stdout, or throws with the command and stderr. */
    public String run(String... args) throws IpCommandException {
        Result r = execute(List.of(args));
        if (r.exitCode != 0) {
            throw r.failure();
        }
        return r.stdout;
    }

    private record Result(String command, int exitCode, String stdout, String stderr) {
        IpCommandException failure() {
            return new IpCommandException(command, exitCode, stderr.isBlank() ? stdout : stderr);
        }
    }

    private String commandLine(List<String> args) {
        List<String> full = fullCommand(args);
        return String.join(" ", full);
    }

    private List<String> fullCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 3);
        cmd.add("ip");
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.addAll(args);
        return cmd;
    }

    private Result execute(List<String> args) throws IpCommandException {
        return execute(args, null);
    }

    /** Runs ip with these arguments and, unless null, this text on its standard input. */
    private Result execute(List<String> args, String stdin) throws IpCommandException {
        List<String> cmd = fullCommand(args);
        String line = String.join(" ", cmd);
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            p = pb.start();
        } catch (IOException e) {
            throw new IpCommandException(line, -1, "cannot run 'ip' (is iproute2 installed?): " + e.getMessage());
        }
        CompletableFuture<String> out = Commands.drain(p.getInputStream());
        CompletableFuture<String> err = Commands.drain(p.getErrorStream());
        if (stdin != null) {
            try (java.io.OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it exited before reading everything; its exit code and stderr tell why
            }
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IpCommandException(line, -1, "timed out after " + timeout.toMillis() + " ms");
            }
            return new Result(line, p.exitValue(), out.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IpCommandException(line, -1, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IpCommandException(line, -1, "cannot read its output: " + e);
        }
    }

    @Override
    public String toString() {
        return netns == null ? "ip" : "ip -n " + netns;
    }

    /** A failed {@code ip} command; the message is one line: command and error output. */
    public static final class IpCommandException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String command;
        private final int exitCode;
        private final String error;

        IpCommandException(String command, int exitCode, String error) {
            super("'" + command + "' failed: " + (Commands.oneLine(error).isEmpty() ? "exit code " + exitCode : Commands.oneLine(error)));
            this.command = command;
            this.exitCode = exitCode;
            this.error = Commands.oneLine(error);
        }

        /** The command line, e.g. {@code ip link set dev wg0 up}. */
        public String command() {
            return command;
        }

        /** The exit code, or -1 if it could not be run or timed out. */
        public int exitCode() {
            return exitCode;
        }

        /** iproute2's error output, joined into one line. */
        public String error() {
            return error;
        }
    }
}
