package io.mtlsgateway.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code openssl} command line, for tests that compare the gateway's output with
 * OpenSSL's byte for byte. Tests that need it call {@link #available()} in an assumption.
 */
public final class OpenSslCli {
    private static final boolean AVAILABLE = probe();

    private OpenSslCli() {}

    /** Whether an {@code openssl} binary runs on this machine. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * A self-signed certificate made by {@code openssl req -x509} with this {@code -subj} and any
     * extra flags ({@code -utf8}, {@code -multivalue-rdn}); returns the PEM file.
     */
    public static Path selfSigned(Path dir, String subj, String... flags) throws IOException {
        Path key = dir.resolve("openssl-key.pem");
        if (!Files.exists(key)) {
            run(List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key.toString()));
        }
        Path cert = Files.createTempFile(dir, "openssl-", ".pem");
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-new", "-key", key.toString(),
                "-days", "2", "-out", cert.toString(), "-subj", subj));
        command.addAll(List.of(flags));
        run(command);
        return cert;
    }

    /** {@code openssl x509 -noout -subject -nameopt RFC2253}: the subject without the {@code subject=} prefix. */
    public static String subject(Path certificate) throws IOException {
        return nameLine(run(List.of("openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253",
                "-in", certificate.toString())), "subject=");
    }

    /** The same for the issuer. */
    public static String issuer(Path certificate) throws IOException {
        return nameLine(run(List.of("openssl", "x509", "-noout", "-issuer", "-nameopt", "RFC2253",
                "-in", certificate.toString())), "issuer=");
    }

    private static String nameLine(String output, String prefix) {
        if (!output.startsWith(prefix) || !output.endsWith("\n")) {
            throw new IllegalStateException("unexpected openssl output: " + output);
        }
        return output.substring(prefix.length(), output.length() - 1);
    }

    /** Runs a command, returns its standard output (bytes as ISO-8859-1), fails on a non-zero exit. */
    public static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(command + " exited " + process.exitValue() + ": "
                    + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    private static boolean probe() {
        try {
            run(List.of("openssl", "version"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
