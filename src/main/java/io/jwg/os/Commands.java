package io.jwg.os;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Runs system programs other than {@code ip} (nft, iptables-restore, resolvconf): with optional standard
 * input, a time limit, and failures reported as one-line {@link IOException}s naming the command.
 */
public final class Commands {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private Commands() {}

    /** What a finished command printed, and its exit code. */
    public record Result(String command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns stdout, or throws "'COMMAND' failed: STDERR" (one line). */
        public String check() throws IOException {
            if (exitCode != 0) {
                String why = oneLine(stderr.isBlank() ? stdout : stderr);
                throw new IOException("'" + command + "' failed: " + (why.isEmpty() ? "exit code " + exitCode : why));
            }
            return stdout;
        }
    }

    /** The program's path: {@code program} itself if it contains a '/', else the first executable match on $PATH. */
    public static Optional<Path> which(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Runs {@code cmd} with {@code stdin} (null: /dev/null) within {@link #DEFAULT_TIMEOUT}. */
    public static Result run(List<String> cmd, String stdin) throws IOException {
        return run(cmd, stdin, DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code cmd} with {@code stdin} (null: /dev/null). A command that cannot be started or does not
     * finish within {@code timeout} (it is killed) is an IOException; a non-zero exit code is not.
     */
    public static Result run(List<String> cmd, String stdin, Duration timeout) throws IOException {
        String line = String.join(" ", cmd);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + line + "': " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it exited without reading everything; its exit code and stderr tell why
            }
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("'" + line + "' timed out after " + timeout.toMillis() + " ms");
            }
            return new Result(line, p.exitValue(), out.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("'" + line + "' interrupted");
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("'" + line + "': cannot read its output: " + e);
        }
    }

    /** Reads a process stream to its end on a daemon thread (so a full pipe never blocks the process). */
    static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("command-output").start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }

    static String oneLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("; "));
    }
}
