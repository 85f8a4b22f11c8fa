package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.IllegalReferenceCountException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The upstream TLS every new upstream connection is made with, for the whole process: swapped
 * whole by a reload (built off the event loops), read by the event loops. A connection remembers
 * the context it was made with, so a pool can tell a connection made with retired material and
 * close it after its in-flight request instead of reusing it.
 */
public final class UpstreamTlsHolder {
    private static final AttributeKey<UpstreamTlsContext> MADE_WITH = AttributeKey.valueOf("mtls-upstream-tls");

    private final AtomicReference<Map<String, UpstreamTlsContext>> current = new AtomicReference<>(Map.of());

    /**
     * Makes {@code next} current and releases what it replaces; an entry whose files and settings
     * did not change keeps its old context (and its session cache and pooled connections), and the
     * new one is released instead.
     *
     * @return the contexts now current, by upstream
     */
    public synchronized Map<String, UpstreamTlsContext> swap(Map<String, UpstreamTlsContext> next) {
        Map<String, UpstreamTlsContext> previous = current.get();
        Map<String, UpstreamTlsContext> merged = new HashMap<>();
        next.forEach((name, fresh) -> {
            UpstreamTlsContext old = previous.get(name);
            if (old != null && old.sameAs(fresh)) {
                fresh.release();
                merged.put(name, old);
            } else {
                merged.put(name, fresh);
            }
        });
        current.set(Map.copyOf(merged));
        previous.forEach((name, old) -> {
            if (merged.get(name) != old) {
                old.release();
            }
        });
        return current.get();
    }

    /** Whether new connections to {@code upstream} use TLS. */
    public boolean usesTls(String upstream) {
        return current.get().containsKey(upstream);
    }

    /**
     * A handler for a new connection of {@code channel} to {@code endpoint}, made with the current
     * context, which the channel remembers; null when the upstream is plain HTTP.
     */
    public SslHandler newHandler(Channel channel, UpstreamConfig upstream, HostPort endpoint) {
        while (true) {
            UpstreamTlsContext context = current.get().get(upstream.name());
            if (context == null) {
                return null;
            }
            try {
                // A reload may release this context between the read and its use: hold it meanwhile.
                context.retain();
            } catch (IllegalReferenceCountException released) {
                continue; // the reload has published its replacement already
            }
            try {
                channel.attr(MADE_WITH).set(context);
                return context.newHandler(channel.alloc(), endpoint);
            } finally {
                context.release();
            }
        }
    }

    /** Whether {@code channel} was made with what is current for {@code upstream} (always, for plain HTTP). */
    public boolean isCurrent(Channel channel, String upstream) {
        UpstreamTlsContext madeWith = channel.attr(MADE_WITH).get();
        return madeWith == null ? !usesTls(upstream) : current.get().get(upstream) == madeWith;
    }

    /** Releases every context (the gateway stops). */
    public synchronized void close() {
        current.getAndSet(Map.of()).values().forEach(UpstreamTlsContext::release);
    }
}
