package io.jwg.live;

import io.jwg.testing.Netns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code scripts/jwg ARGS} process, in a namespace (via {@code ip netns exec}, so its PID is the JVM's) or,
 * when {@code ns} is null, in the test's own namespace, with stdout and stderr captured separately. The process
 * is killed by PID on {@link #close()} if it is still running.
 */
final class JwgRun implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JwgRun(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static JwgRun start(Netns ns, Path dir, String... args) throws IOException {
        Project.ensureBuilt();
        List<String> cmd = new ArrayList<>();
        if (ns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", ns.name()));
        }
        cmd.add(Project.jwg());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "jwg", ".stdout");
        Path err = Files.createTempFile(dir, "jwg", ".stderr");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new JwgRun(p, out, err);
    }

    /** Runs to completion: starts, waits at most {@code bound} (then kills it and fails). */
    static JwgRun run(Netns ns, Path dir, Duration bound, String... args) throws IOException, InterruptedException {
        JwgRun r = start(ns, dir, args);
        try {
            r.awaitExit(bound);
            return r;
        } finally {
            r.close();
        }
    }

    /** Waits for the exit code, at most {@code bound}; kills the process and throws AssertionError after that. */
    int awaitExit(Duration bound) throws InterruptedException {
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("jwg did not exit within " + bound + "; stdout: " + stdout() + " stderr: " + stderr());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    Process process() {
        return process;
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** The stderr lines (a final newline does not start another line). */
    List<String> stderrLines() {
        List<String> lines = new ArrayList<>(List.of(stderr().split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 5 s, if still running. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
