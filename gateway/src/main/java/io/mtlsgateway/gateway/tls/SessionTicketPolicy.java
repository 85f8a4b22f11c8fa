package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.gateway.BlockingThreads;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * Session resumption per listener, as its {@code tls} section asks: {@code sessionTickets: false}
 * turns resumption off for that listener only; {@code sessionTicketKeys} installs the keys read from
 * those files (shared by a fleet, rotated by whoever writes the files, re-read on reload); otherwise
 * the listener gets {@link RandomTicketKeys}, rotated every {@link #DEFAULT_ROTATION}. One instance
 * per running gateway, so two gateways in one JVM never share keys by accident.
 */
public final class SessionTicketPolicy implements AutoCloseable {
    /** How often the per-process random keys rotate; a ticket lives one to two periods. */
    public static final Duration DEFAULT_ROTATION = Duration.ofHours(1);

    private final Map<String, RandomTicketKeys> randomKeys = new ConcurrentHashMap<>();
    private final ScheduledExecutorService rotation;

    /** Rotates the random keys every {@code period}. */
    public SessionTicketPolicy(Duration period) {
        rotation = Executors.newSingleThreadScheduledExecutor(BlockingThreads.named("gateway-ticket-keys"));
        rotation.scheduleAtFixedRate(this::rotate, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    public SessionTicketPolicy() {
        this(DEFAULT_ROTATION);
    }

    /**
     * Applies {@code tls}'s choice to {@code context}, a freshly built server context of the listener
     * named {@code listener}, and returns the context to serve with (it owns {@code context}'s
     * reference; on failure {@code context} is released). Reads key files: call off the event loop.
     */
    public SslContext apply(String listener, TlsConfig tls, SslContext context) throws MaterialException {
        try {
            if (!tls.sessionTickets()) {
                return new TicketlessSslContext(context);
            }
            ((OpenSslServerSessionContext) context.sessionContext()).setSessionIdContext(sessionIdContext(tls));
            if (!tls.sessionTicketKeys().isEmpty()) {
                List<OpenSslSessionTicketKey> keys = TicketKeyFile.readAll(tls.sessionTicketKeys());
                ((OpenSslSessionContext) context.sessionContext())
                        .setTicketKeys(keys.toArray(OpenSslSessionTicketKey[]::new));
                return context;
            }
            randomKeys.computeIfAbsent(listener, name -> new RandomTicketKeys()).install(context);
            return context;
        } catch (MaterialException | RuntimeException e) {
            ReferenceCountUtil.release(context);
            throw e;
        }
    }

    /**
     * BoringSSL resumes a session only in a context of the same session ID context, and Netty gives
     * every context the same one: with {@code sessionTicketKeys} shared between a listener (or host
     * entry) that asks for no client certificate and one that requires it, a session made without a
     * certificate resumed where one is required, and the connection failed ("peer not verified") on
     * every attempt with that ticket. One context per client-auth mode makes it a full handshake
     * there; the same for every process of a fleet, so its shared keys still resume across it.
     */
    static byte[] sessionIdContext(TlsConfig tls) {
        return ("mtls-gateway/" + tls.clientAuth().name()).getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether {@code engine}'s completed handshake resumed a session (ticket or session ID). */
    public static boolean resumed(SSLEngine engine) {
        if (engine instanceof ReferenceCountedOpenSslEngine openSsl) {
            long ssl = openSsl.sslPointer();
            return ssl != 0 && SSL.isSessionReused(ssl);
        }
        return false;
    }

    /** Rotates every listener's random keys now (the schedule does this every period). */
    public void rotate() {
        randomKeys.values().forEach(RandomTicketKeys::rotate);
    }

    @Override
    public void close() {
        rotation.shutdownNow();
    }
}
