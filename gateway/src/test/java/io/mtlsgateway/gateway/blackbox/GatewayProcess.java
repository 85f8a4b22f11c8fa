package io.mtlsgateway.gateway.blackbox;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar ({@code gateway.jar}, set by the build) run as a process, as an operator runs
 * it: stdout and stderr read line by line as they come, signals sent with {@code kill}.
 */
final class GatewayProcess implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Process process;
    private final BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    private final List<String> stderrSeen = new ArrayList<>();
    private final StringBuilder stdout = new StringBuilder();
    private final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();

    private GatewayProcess(Process process) {
        this.process = process;
        pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), stderr::add);
        pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), line -> {
            synchronized (stdout) {
                stdout.append(line).append('\n');
            }
            stdoutLines.add(line);
        });
    }

    /** Starts {@code java -jar mtls-gateway.jar args...}. */
    static GatewayProcess start(String... args) throws IOException {
        String jar = System.getProperty("gateway.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the shaded jar, built by mvn verify: " + jar);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar", jar));
        command.addAll(List.of(args));
        return new GatewayProcess(new ProcessBuilder(command).start());
    }

    /**
     * Starts {@code bin/mtls-gateway args...}, the launcher next to the jar's module, with {@code env}
     * added to this process's environment.
     */
    static GatewayProcess launch(java.util.Map<String, String> env, String... args) throws IOException {
        String jar = System.getProperty("gateway.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the shaded jar, built by mvn verify: " + jar);
        Path launcher = Path.of(jar).toAbsolutePath().getParent().getParent().getParent().resolve("bin/mtls-gateway");
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return new GatewayProcess(builder.start());
    }

    /** The process id (after exec, the launcher's is the JVM's). */
    long pid() {
        return process.pid();
    }

    private static void pump(BufferedReader reader, java.util.function.Consumer<String> sink) {
        Thread pump = new Thread(() -> {
            try (reader) {
                for (String line; (line = reader.readLine()) != null; ) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                sink.accept(END);
            }
        }, "gateway-process-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Waits for the first stderr line containing {@code text}, and returns it. */
    String awaitStderr(String text) throws InterruptedException {
        return awaitStderr(text, 60);
    }

    /** As {@link #awaitStderr(String)}, waiting up to {@code seconds} for each line. */
    String awaitStderr(String text, int seconds) throws InterruptedException {
        while (true) {
            String line = stderr.poll(seconds, TimeUnit.SECONDS);
            assertTrue(line != null, "no stderr line with '" + text + "' within " + seconds + " s; so far: "
                    + stderrSeen);
            assertTrue(!END.equals(line), "the process ended without '" + text + "' on stderr: " + stderrSeen);
            stderrSeen.add(line);
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** Waits for the first stdout line (not read by this method before) containing {@code text}, and returns it. */
    String awaitStdout(String text) throws InterruptedException {
        while (true) {
            String line = stdoutLines.poll(60, TimeUnit.SECONDS);
            assertTrue(line != null, "no stdout line with '" + text + "' within 60 s; so far: " + stdout());
            assertTrue(!END.equals(line), "the process ended without '" + text + "' on stdout: " + stdout());
            if (line.contains(text)) {
                return line;
            }
        }
    }

    /** Every stderr line, once the process has ended. */
    List<String> stderrLines() throws InterruptedException {
        while (true) {
            String line = stderr.poll(60, TimeUnit.SECONDS);
            assertTrue(line != null, "stderr did not end");
            if (END.equals(line)) {
                return List.copyOf(stderrSeen);
            }
            stderrSeen.add(line);
        }
    }

    String stdout() {
        synchronized (stdout) {
            return stdout.toString();
        }
    }

    /** Sends a signal ({@code HUP}, {@code TERM}) with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
    }

    boolean alive() {
        return process.isAlive();
    }

    int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the process did not exit within 60 s");
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
