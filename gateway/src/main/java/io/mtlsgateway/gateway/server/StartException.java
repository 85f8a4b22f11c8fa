package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import java.util.List;

/**
 * The gateway could not start: every problem as one line naming the file (or address) and the
 * reason, ready to print as is. Nothing is left running.
 */
public final class StartException extends java.io.IOException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    StartException(List<String> problems, Throwable cause) {
        super(String.join("\n", problems), cause);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    /** A listener's files could not be loaded; {@code file} is named when the reason does not. */
    static StartException material(String file, Exception e) {
        if (e instanceof MaterialException m) {
            return new StartException(m.problems(), e);
        }
        return new StartException(List.of(file + ": " + reason(e)), e);
    }

    /** An upstream's TLS files could not be loaded. */
    static StartException upstreamMaterial(Exception e) {
        if (e instanceof UpstreamTlsLoader.UpstreamMaterialException m) {
            return new StartException(m.problems(), e);
        }
        return new StartException(List.of("upstream TLS: " + reason(e)), e);
    }

    /** {@code what} (a listener, the admin endpoint) could not listen on {@code address}. */
    static StartException bind(String what, HostPort address, Throwable e) {
        return new StartException(List.of(what + ": cannot listen on " + address + ": " + reason(e)), e);
    }

    /** The access log file could not be opened. */
    static StartException accessLog(Object file, Throwable e) {
        return new StartException(List.of("accessLog.path: cannot open " + file + " for writing: " + reason(e)), e);
    }

    /** Anything else, as one line. */
    static StartException other(Throwable e) {
        return e instanceof StartException s ? s : new StartException(List.of("cannot start: " + reason(e)), e);
    }

    /** The exception's own words, or its kind when it has none (a bare NoSuchFileException names only the path). */
    private static String reason(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip();
    }
}
