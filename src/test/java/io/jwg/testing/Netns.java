package io.jwg.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away Linux network namespace for live tests (needs root).
 *
 * <pre>{@code
 * Netns.assumeRoot();
 * try (Netns a = Netns.create("udp"); Netns b = Netns.create("udp")) {
 *     Netns.pair(a, b, "10.77.0.1/24", "10.77.0.2/24");
 *     assertThat(a.exec("ping", "-c1", "-W2", "10.77.0.2").exitCode()).isZero();
 *     DatagramChannel ch = b.runInside(() -> DatagramChannel.open().bind(new InetSocketAddress(9000)));
 * }
 * }</pre>
 *
 * <p>Every namespace gets a unique name ({@code jwgt-<tag>-<pid>-<n>}) and {@code lo} up. {@link #close()}
 * kills the processes {@link #start started} inside (by PID, children first), stops the thread used by
 * {@link #runInside}, and deletes the namespace (which also destroys the veth ends inside it). A shutdown
 * hook deletes namespaces a test forgot to close, and {@link #create} removes namespaces left behind by
 * earlier test JVMs that have died (recognised by the PID in the name).
 *
 * <p>Code can run inside a namespace from the test JVM itself: {@link #runInside} runs it on a dedicated
 * platform thread that has entered the namespace with {@code setns(2)}; {@link #enter()} moves the calling
 * (platform) thread in and back out. Sockets and TUN devices keep the namespace they were created in, so
 * a socket opened inside can afterwards be used from any thread.
 */
@SuppressWarnings("restricted")
public final class Netns implements AutoCloseable {

    /** Exit code and combined stdout+stderr of a command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result, or throws if the command failed. */
        public Result check(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed (exit " + exitCode + "): " + output.strip());
            }
            return this;
        }
    }

    /** The two ends of a veth pair: {@code ifA} lives in namespace {@code a}, {@code ifB} in {@code b}. */
    public record Veth(Netns a, String ifA, Netns b, String ifB) {}

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final String PREFIX = "jwgt-";
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<Netns> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean staleCleaned;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Netns ns : List.copyOf(OPEN)) {
                ns.close();
            }
        }, "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private final AtomicInteger ifCounter = new AtomicInteger();
    private ExecutorService inside;
    private boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    // ------------------------------------------------------------------------------------------ creation

    /** True if this JVM runs with effective UID 0. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Skips the calling test (JUnit assumption) unless running as root with iproute2 available. */
    public static void assumeRoot() {
        Assumptions.assumeTrue(isRoot(),
                "live test skipped: needs root for network namespaces (run as root, e.g. sudo scripts/test)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                        || Files.isExecutable(Path.of("/usr/bin/ip")) || Files.isExecutable(Path.of("/bin/ip")),
                "live test skipped: iproute2 ('ip') is not installed");
    }

    /** Creates a namespace named {@code jwgt-<pid>-<n>} with {@code lo} up. */
    public static Netns create() {
        return create("ns");
    }

    /** Creates a namespace named {@code jwgt-<tag>-<pid>-<n>} with {@code lo} up. */
    public static Netns create(String tag) {
        if (!tag.matches("[A-Za-z0-9]{1,16}")) {
            throw new IllegalArgumentException("tag must be 1-16 letters/digits: " + tag);
        }
        if (!staleCleaned) {
            staleCleaned = true;
            removeStale();
        }
        String name = PREFIX + tag + "-" + PID + "-" + COUNTER.incrementAndGet();
        host(DEFAULT_TIMEOUT, "ip", "netns", "add", name).check("ip netns add " + name);
        Netns ns = new Netns(name);
        OPEN.add(ns);
        try {
            ns.exec("ip", "link", "set", "lo", "up").check("ip link set lo up in " + name);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * Connects two namespaces with a veth pair, brings both ends up and assigns the addresses (CIDR, v4 or
     * v6; IPv6 addresses are added with {@code nodad} so they are usable at once). Either address may be null.
     */
    public static Veth pair(Netns a, Netns b, String cidrA, String cidrB) {
        String ifA = "veth" + a.ifCounter.getAndIncrement();
        String ifB = "veth" + b.ifCounter.getAndIncrement();
        host(DEFAULT_TIMEOUT, "ip", "link", "add", ifA, "netns", a.name, "type", "veth",
                "peer", "name", ifB, "netns", b.name).check("creating veth " + a.name + "/" + ifA + " <-> " + b.name + "/" + ifB);
        a.exec("ip", "link", "set", ifA, "up").check("ip link set " + ifA + " up");
        b.exec("ip", "link", "set", ifB, "up").check("ip link set " + ifB + " up");
        if (cidrA != null) {
            a.addAddress(ifA, cidrA);
        }
        if (cidrB != null) {
            b.addAddress(ifB, cidrB);
        }
        return new Veth(a, ifA, b, ifB);
    }

    /** {@code ip addr add CIDR dev IFNAME} inside this namespace (IPv6 with {@code nodad}). */
    public void addAddress(String ifname, String cidr) {
        if (cidr.contains(":")) {
            exec("ip", "-6", "addr", "add", cidr, "dev", ifname, "nodad").check("ip addr add " + cidr + " dev " + ifname);
        } else {
            exec("ip", "addr", "add", cidr, "dev", ifname).check("ip addr add " + cidr + " dev " + ifname);
        }
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------------------------------ commands

    /** Runs a command inside the namespace ({@code ip netns exec}) with the default timeout. */
    public Result exec(String... cmd) {
        return exec(DEFAULT_TIMEOUT, cmd);
    }

    /** Runs a command inside the namespace; on timeout it is killed and the exit code is -1. */
    public Result exec(Duration timeout, String... cmd) {
        return host(timeout, inNs(List.of(cmd)).toArray(String[]::new));
    }

    /** Runs a command inside the namespace and returns its output; throws if it fails. */
    public String run(String... cmd) {
        return exec(cmd).check(String.join(" ", cmd) + " in " + name).output();
    }

    /**
     * Starts a background process inside the namespace with stdout and stderr appended to {@code log}. It is
     * killed (by PID, with its children) when this namespace is closed.
     */
    public synchronized Process start(List<String> cmd, Path log) throws IOException {
        ensureOpen();
        if (log.getParent() != null) {
            Files.createDirectories(log.getParent());
        }
        Process p = new ProcessBuilder(inNs(cmd))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        processes.add(p);
        return p;
    }

    /** Runs a command in the host (initial) namespace, killing it on timeout (exit code -1). */
    public static Result host(Duration timeout, String... cmd) {
        Path out = null;
        Process p = null;
        try {
            out = Files.createTempFile("netns-exec", ".out");
            p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                kill(p);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (!done) {
                return new Result(-1, output + "\n[timed out after " + timeout + ": " + String.join(" ", cmd) + "]");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                kill(p);
            }
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // temp file; nothing to do
                }
            }
        }
    }

    private List<String> inNs(List<String> cmd) {
        List<String> full = new ArrayList<>(cmd.size() + 4);
        full.addAll(List.of("ip", "netns", "exec", name));
        full.addAll(cmd);
        return full;
    }

    // ------------------------------------------------------------------------------------------ waiting

    /**
     * Polls {@code condition} until it holds; throws {@link AssertionError} naming {@code what} if it does
     * not hold within {@code timeout}.
     */
    public static void waitFor(Duration timeout, String what, BooleanSupplier condition) {
        if (!await(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout + " waiting for " + what);
        }
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 5;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            sleep = Math.min(100, sleep * 2);
        }
    }

    // ------------------------------------------------------------------------------------------ inside

    /** A task that may throw anything. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Runs {@code task} on this namespace's dedicated thread (a platform thread that entered the namespace
     * with setns(2)) and returns its result. Sockets it creates live in the namespace. Exceptions thrown by
     * the task are rethrown as they are. Calls are serialised (one thread); waits at most the default timeout.
     */
    public <T> T runInside(Callable<T> task) throws Exception {
        Future<T> f;
        synchronized (this) {
            ensureOpen();
            if (inside == null) {
                inside = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "netns-" + name);
                    t.setDaemon(true);
                    return t;
                });
                try {
                    inside.submit(() -> {
                        setns(NETNS_DIR.resolve(name));
                        return null;
                    }).get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    inside.shutdownNow();
                    inside = null;
                    throw unwrap(e);
                }
            }
            f = inside.submit(task);
        }
        try {
            return f.get(DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new TimeoutException("task inside " + name + " did not finish within " + DEFAULT_TIMEOUT);
        }
    }

    /** {@link #runInside(Callable)} for tasks without a result. */
    public void runInside(ThrowingRunnable task) throws Exception {
        runInside(() -> {
            task.run();
            return null;
        });
    }

    /** Returned by {@link #enter()}: closing it moves the thread back to the namespace it came from. */
    public interface Entered extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Moves the calling platform thread into this namespace until the returned handle is closed (on the same
     * thread). Not allowed on virtual threads, whose carrier thread may change.
     */
    public Entered enter() {
        ensureOpen();
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("Netns.enter() needs a platform thread, not a virtual thread");
        }
        Thread owner = Thread.currentThread();
        int original = openFd(Path.of("/proc/thread-self/ns/net"));
        try {
            setns(NETNS_DIR.resolve(name));
        } catch (RuntimeException e) {
            closeFd(original);
            throw e;
        }
        return new Entered() {
            private boolean done;

            @Override
            public void close() {
                if (done) {
                    return;
                }
                if (Thread.currentThread() != owner) {
                    throw new IllegalStateException("Entered.close() must be called on the thread that entered");
                }
                done = true;
                try {
                    setns(original);
                } finally {
                    closeFd(original);
                }
            }
        };
    }

    private static Exception unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Error err) {
            throw err;
        }
        return c instanceof Exception ex ? ex : e;
    }

    // ------------------------------------------------------------------------------------------ close

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
    }

    /** Kills the processes started inside, stops the inside thread and deletes the namespace. Idempotent. */
    @Override
    public void close() {
        List<Process> toKill;
        ExecutorService exec;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toKill = List.copyOf(processes);
            processes.clear();
            exec = inside;
            inside = null;
        }
        for (Process p : toKill) {
            kill(p);
        }
        if (exec != null) {
            exec.shutdownNow();
            try {
                exec.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Also kill anything else still running inside (e.g. daemons that re-parented themselves).
        Result pids = host(Duration.ofSeconds(10), "ip", "netns", "pids", name);
        if (pids.ok()) {
            for (String pid : pids.output().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(Netns::kill);
                }
            }
        }
        host(Duration.ofSeconds(10), "ip", "netns", "del", name);
        OPEN.remove(this);
    }

    private static void kill(Process p) {
        kill(p.toHandle());
    }

    private static void kill(ProcessHandle h) {
        if (h.pid() == PID) {
            return;
        }
        List<ProcessHandle> children = h.descendants().toList();
        h.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            h.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // fall through to SIGKILL
        }
        Stream.concat(Stream.of(h), children.stream()).filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            h.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // gave up; it is SIGKILLed
        }
    }

    /** Deletes {@code jwgt-*-<pid>-*} namespaces whose creating JVM is no longer alive. */
    private static void removeStale() {
        String[] names = NETNS_DIR.toFile().list();
        if (names == null) {
            return;
        }
        for (String n : names) {
            String[] parts = n.split("-");
            if (n.startsWith(PREFIX) && parts.length == 4 && parts[2].matches("\\d+")) {
                long pid = Long.parseLong(parts[2]);
                if (pid != PID && ProcessHandle.of(pid).isEmpty()) {
                    host(Duration.ofSeconds(10), "ip", "netns", "del", n);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ setns via FFM

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SETNS;
    private static final MethodHandle OPEN_FN;
    private static final MethodHandle CLOSE_FN;
    private static final MethodHandle STRERROR;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SETNS = linker.downcallHandle(libc.find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        OPEN_FN = linker.downcallHandle(libc.find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), errno);
        CLOSE_FN = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        STRERROR = linker.downcallHandle(libc.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS.withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)), JAVA_INT));
    }

    private static void setns(Path nsFile) {
        int fd = openFd(nsFile);
        try {
            setns(fd);
        } finally {
            closeFd(fd);
        }
    }

    private static void setns(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            if (rc != 0) {
                throw new IllegalStateException("setns(CLONE_NEWNET) failed: " + strerror((int) ERRNO.get(state, 0L)));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int openFd(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN_FN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + path + ": " + strerror((int) ERRNO.get(state, 0L)));
            }
            return fd;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void closeFd(int fd) {
        try {
            int ignored = (int) CLOSE_FN.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
