package io.mtlsgateway.gateway.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-socket upstream whose behaviour each test writes as a script: it can answer with any
 * bytes, hold a response, reset mid-body or switch protocols — what a well-behaved Netty server
 * would never do. One thread per connection; the script sees raw bytes.
 */
public final class ScriptedUpstream implements AutoCloseable {
    /** What to do with one accepted connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Connection connection) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-upstream");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    /** Set before the sockets are closed, read after each accept: no accepted socket outlives close(). */
    private volatile boolean closed;

    private ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    if (closed) {
                        // Accepted while close() ran (the kernel still took connections until this
                        // thread left accept): close() may have missed it, and nothing would serve it.
                        socket.close();
                        return;
                    }
                    connections.incrementAndGet();
                    threads.execute(() -> {
                        try (socket) {
                            script.serve(new Connection(socket, requests));
                        } catch (Exception e) {
                            // the peer went away or the script ended the connection: nothing to report
                        }
                    });
                } catch (IOException | RejectedExecutionException e) {
                    return;
                }
            }
        });
    }

    public static ScriptedUpstream start(Script script) throws IOException {
        return new ScriptedUpstream(script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    /** Request heads read so far, over all connections. */
    public int requestCount() {
        return requests.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.shutdownNow();
    }

    /** One accepted connection, as the script sees it. */
    public static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final AtomicInteger requests;

        Connection(Socket socket, AtomicInteger requests) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.requests = requests;
        }

        /** The next request head (request line and headers, CRLF-separated), or null at end of stream. */
        public String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    requests.incrementAndGet();
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        /** Reads exactly {@code n} body bytes. */
        public byte[] readBytes(int n) throws IOException {
            return in.readNBytes(n);
        }

        public InputStream in() {
            return in;
        }

        public void write(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Ends the connection with a TCP reset rather than an orderly close. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        public void close() throws IOException {
            socket.close();
        }

        /** Sends the end of stream but keeps reading (a half close). */
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }
    }
}
