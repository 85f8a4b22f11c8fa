package io.mtlsgateway.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code kubectl kustomize}, which builds manifests offline (no cluster). kubectl is not
 * installed everywhere: {@link #available()} says whether this machine has one whose kustomize
 * understands the overlays (v5), and the committed renders in deploy/kubernetes/rendered stand in
 * where it has not.
 */
final class Kustomize {
    /** deploy/ of this checkout (tests run in the module's folder). */
    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final List<String> OVERLAYS = List.of("edge", "sidecar");

    private static final Pattern KUSTOMIZE_VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");
    private static final int MINIMUM_MAJOR = 5;
    private static Optional<String> unavailable;
    /** Each overlay is built once per test run (kubectl takes a second or two). */
    private static final Map<String, String> BUILT = new ConcurrentHashMap<>();

    private Kustomize() {}

    /** Empty when kubectl with kustomize v5+ is here; otherwise why not. */
    static synchronized Optional<String> unavailableReason() {
        if (unavailable == null) {
            unavailable = probe();
        }
        return unavailable;
    }

    private static Optional<String> probe() {
        try {
            String out = run(List.of("kubectl", "version", "--client"), null);
            Matcher m = KUSTOMIZE_VERSION.matcher(out);
            if (!m.find()) {
                return Optional.of("kubectl prints no kustomize version: " + out.strip());
            }
            if (Integer.parseInt(m.group(1)) < MINIMUM_MAJOR) {
                return Optional.of("kubectl's kustomize is older than v" + MINIMUM_MAJOR + ": " + out.strip());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("kubectl not found: " + e.getMessage());
        }
    }

    /** {@code kubectl kustomize DIR}: the manifests the overlay builds. */
    static String build(Path dir) throws IOException {
        return run(List.of("kubectl", "kustomize", dir.toString()), dir);
    }

    /** The committed render of an overlay, what {@code deploy/kubernetes/render.sh} wrote. */
    static String rendered(String overlay) throws IOException {
        return Files.readString(KUBERNETES.resolve("rendered").resolve(overlay + ".yaml"));
    }

    /** The live build where kubectl can make it, else the committed render. */
    static String manifests(String overlay) throws IOException {
        if (unavailableReason().isPresent()) {
            return rendered(overlay);
        }
        String built = BUILT.get(overlay);
        if (built == null) {
            built = build(KUBERNETES.resolve(overlay));
            BUILT.put(overlay, built);
        }
        return built;
    }

    private static String run(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        Path stderr = Files.createTempFile("kustomize", ".err");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 60 s");
            }
            String err = Files.readString(stderr);
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + err);
            }
            if (dir != null && !err.isBlank()) {
                // kustomize warns on stderr about deprecated fields; the overlays must not need any.
                throw new IOException(String.join(" ", command) + " warned: " + err);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
