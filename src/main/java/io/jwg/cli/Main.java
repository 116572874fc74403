package io.jwg.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code jwg} command line. */
@Command(name = "jwg", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A WireGuard implementation in Java.",
        subcommands = {UpCommand.class, DownCommand.class, ShowCommand.class, ShowconfCommand.class, SyncconfCommand.class,
                UserspaceCommand.class, GenKeyCommand.class, GenPskCommand.class, PubKeyCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "log debug messages")
    void verbose(boolean v) {
        Logging.configure(v);
    }

    public static void main(String[] args) {
        // Host-name endpoints are resolved again when handshakes fail (Device): the JDK's own cache of
        // successful lookups (30 s) would hand back the old address. Like wg(8), leave caching to the
        // system resolver, unless the user configured the JDK's cache.
        if (java.security.Security.getProperty("networkaddress.cache.ttl") == null && System.getProperty("sun.net.inetaddr.ttl") == null) {
            java.security.Security.setProperty("networkaddress.cache.ttl", "0");
        }
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests too). */
    public static int run(String... args) {
        Logging.configure(false);
        UpCommand.Simple up = UpCommand.Simple.parse(args);
        if (up != null) return runUp(up);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            failed(e, cmd.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler(Main::usageError);
        return cl.execute(args);
    }

    /**
     * {@code jwg up} with plain arguments, without picocli: building picocli's model of the
     * commands costs ~0.3 s of CPU at every start (reflection, annotation proxies, all interpreted,
     * and its classes are too old for the AOT cache). Anything else goes through picocli.
     */
    private static int runUp(UpCommand.Simple up) {
        if (up.verbose()) Logging.configure(true);
        try {
            return up.command().call();
        } catch (Exception e) {
            PrintWriter err = new PrintWriter(System.err, true);
            failed(e, err);
            return 1;
        }
    }

    private static void failed(Exception e, PrintWriter err) {
        err.println("jwg: " + Errors.describe(e));
        if (Boolean.getBoolean("jwg.debug")) e.printStackTrace(err);
        err.flush();
    }

    /** A command-line mistake: one line on stderr (no usage dump, no stack trace) and exit code 1, as wg. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("jwg: " + String.valueOf(e.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
        err.flush();
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code jwg --version}: the Maven project version, filtered into io/jwg/cli/version.properties at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jwg " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code unknown} if the resource is missing. */
    public static String version() {
        try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
