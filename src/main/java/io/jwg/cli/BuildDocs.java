package io.jwg.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build-time generator, run by the exec-maven-plugin after compilation (never by jwg itself):
 * everything is derived from the picocli model of {@link Main}, so the documents cannot drift
 * from the command line.
 *
 * <pre>
 * OUT/completion/jwg.bash   bash completion (picocli.AutoComplete)
 * OUT/completion/_jwg       zsh completion: the same script through zsh's bashcompinit
 * OUT/man/adoc/*.adoc       man pages in AsciiDoc (picocli-codegen's ManPageGenerator)
 * OUT/man/*.1               the same pages as roff for man(1): jwg.1 and jwg-COMMAND.1
 * </pre>
 *
 * The roff pages are rendered from ManPageGenerator's AsciiDoc by {@link #roff}, which knows the
 * small, regular subset that generator writes (title, sections, paragraphs, definition lists,
 * bold/italic/monospace, xrefs), so no AsciiDoc toolchain is needed at build time.
 */
public final class BuildDocs {
    private BuildDocs() {}

    /** Arguments: the output directory, the project version. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : Main.version();
        CommandLine cl = new CommandLine(new Main());

        Path completion = Files.createDirectories(out.resolve("completion"));
        String bash = AutoComplete.bash("jwg", cl);
        Files.writeString(completion.resolve("jwg.bash"), bash);
        Files.writeString(completion.resolve("_jwg"), zsh(bash));

        Path adocDir = Files.createDirectories(out.resolve("man/adoc"));
        Path manDir = out.resolve("man");
        List<CommandSpec> specs = new ArrayList<>();
        specs.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) specs.add(sub.getCommandSpec());
        for (CommandSpec spec : specs) {
            String page = spec.parent() == null ? "jwg" : "jwg-" + spec.name();
            StringWriter sw = new StringWriter();
            try (PrintWriter pw = new PrintWriter(sw)) {
                ManPageGenerator.writeSingleManPage(pw, spec);
            }
            Files.writeString(adocDir.resolve(page + ".adoc"), sw.toString());
            Files.writeString(manDir.resolve(page + ".1"), roff(sw.toString(), version));
        }
    }

    /**
     * zsh completion for an fpath directory ({@code _jwg}): picocli's script supports zsh through
     * bashcompinit when sourced; as an autoloaded function its body defines the functions and
     * registers them, and then completes the current word.
     */
    static String zsh(String bash) {
        return "#compdef jwg\n"
                + "# zsh completion for jwg, generated at build time from its picocli model: the bash completion script\n"
                + "# (picocli.AutoComplete) run through zsh's bashcompinit. Install as _jwg in a directory of $fpath.\n"
                + bash.replaceFirst("^#!.*\n", "")
                + "\n# complete the word that made zsh load this file\n_bash_complete -F _complete_jwg -o default\n";
    }

    private static final Pattern TITLE = Pattern.compile("^= (\\S+)\\((\\d)\\)$");
    private static final Pattern ATTRIBUTE = Pattern.compile("^:([a-z-]+):\\s*(.*)$");

    /** Renders the AsciiDoc subset ManPageGenerator writes as a roff man page. */
    static String roff(String adoc, String version) {
        StringBuilder sb = new StringBuilder();
        sb.append(".\\\" Generated at build time from the picocli model by io.jwg.cli.BuildDocs; do not edit.\n");
        String manual = "jwg Manual";
        boolean inDefinition = false;
        boolean pendingParagraph = false;
        boolean hardbreaks = false;
        for (String line : adoc.split("\n", -1)) {
            if (line.startsWith("//")) continue;
            Matcher a = ATTRIBUTE.matcher(line);
            if (a.matches()) {
                if (a.group(1).equals("manmanual") && !a.group(2).isBlank()) manual = a.group(2).strip();
                continue;
            }
            Matcher t = TITLE.matcher(line);
            if (t.matches()) {
                sb.append(".TH \"").append(t.group(1).toUpperCase()).append("\" \"").append(t.group(2)).append("\" \"\" \"jwg ")
                        .append(version).append("\" \"").append(manual).append("\"\n");
                continue;
            }
            if (line.startsWith("== ")) {
                sb.append(".SH \"").append(line.substring(3).strip().toUpperCase()).append("\"\n");
                inDefinition = false;
                pendingParagraph = false;
                hardbreaks = false;
                continue;
            }
            if (line.equals("[%hardbreaks]")) {
                hardbreaks = true;
                continue;
            }
            if (line.isBlank()) {
                pendingParagraph = true;
                hardbreaks = false;
                continue;
            }
            if (line.endsWith("::") && !line.startsWith(" ")) {
                sb.append(".TP\n").append(text(line.substring(0, line.length() - 2))).append('\n');
                inDefinition = true;
                pendingParagraph = false;
                continue;
            }
            if (pendingParagraph) {
                sb.append(inDefinition && line.startsWith(" ") ? "" : ".PP\n");
                if (!line.startsWith(" ")) inDefinition = false;
                pendingParagraph = false;
            }
            sb.append(text(line.strip())).append('\n');
            if (hardbreaks) sb.append(".br\n");
        }
        return sb.toString();
    }

    private static final Pattern XREF = Pattern.compile("xref:[^\\[\\s]+\\[([^\\]]*)\\]");
    private static final Pattern BOLD = Pattern.compile("(?<![\\w*])\\*([^*\\s](?:[^*]*[^*\\s])?)\\*(?![\\w*])");
    private static final Pattern ITALIC = Pattern.compile("(?<![\\w])_([^_\\s](?:[^_]*[^_\\s])?)_(?![\\w])");
    private static final Pattern MONO = Pattern.compile("`([^`]+)`");

    /** One line of AsciiDoc text as roff: escapes first, then the inline markup as font changes. */
    static String text(String s) {
        s = XREF.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = s.replace("\\", "\\e").replace("-", "\\-");
        s = BOLD.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\fB" + m.group(1) + "\\fR"));
        s = ITALIC.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\fI" + m.group(1) + "\\fR"));
        s = MONO.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\fB" + m.group(1) + "\\fR"));
        if (s.startsWith(".") || s.startsWith("'")) s = "\\&" + s;
        return s;
    }
}
