package io.jwg.config;

/**
 * A problem in a config file. The message is one line, {@code SOURCE:LINE: REASON}, for example
 * {@code wg0.conf:7: PublicKey: Key is not the correct length or format}. Lines count from 1.
 * Messages quote the offending value but never a private or pre-shared key.
 */
public final class ConfigException extends Exception {
    private final String sourceName;
    private final int line;
    private final String reason;

    public ConfigException(String sourceName, int line, String reason) {
        super(oneLine(sourceName) + ":" + line + ": " + oneLine(reason));
        this.sourceName = sourceName;
        this.line = line;
        this.reason = oneLine(reason);
    }

    /** The file name (or other source name) as given to the parser. */
    public String sourceName() {
        return sourceName;
    }

    /** The 1-based line number. */
    public int line() {
        return line;
    }

    /** The message without the {@code SOURCE:LINE: } prefix. */
    public String reason() {
        return reason;
    }

    /** Control characters (a stray CR, a tab, ...) become '?' so that the message stays one line. */
    private static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
