package io.jwg.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jwg} command line. */
@Command(name = "jwg", mixinStandardHelpOptions = true, version = "jwg 0.1.0",
        description = "A WireGuard implementation in Java.",
        subcommands = {})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests too). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
