package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.metrics.ListenerMetrics;
import io.mtlsgateway.gateway.pipeline.DrainEvent;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Every open downstream connection of the gateway, so that a stop can drain them: tell each one
 * to finish its in-flight request and close, then learn when the last one has gone.
 */
public final class ConnectionTracker {
    private final ChannelGroup open = new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean draining;

    /**
     * Tracks a new connection; during a drain it is closed instead.
     *
     * @return whether the connection may be served
     */
    boolean admit(Channel channel, ListenerMetrics metrics) {
        if (draining) {
            channel.close();
            return false;
        }
        metrics.connectionOpened();
        channel.closeFuture().addListener(f -> {
            metrics.connectionClosed();
            checkDrained();
        });
        open.add(channel);
        if (draining) {
            // The drain started between the check and the add and may have missed this one; it
            // has no handler yet that could finish anything, so it just closes.
            channel.close();
            return false;
        }
        return true;
    }

    /** Connections currently open. */
    public int size() {
        return open.size();
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Starts draining: idle connections close after a short grace, busy ones after their in-flight request.
     *
     * @return completes when no connection is left open
     */
    public CompletableFuture<Void> drain() {
        draining = true;
        for (Channel channel : open) {
            channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        }
        checkDrained();
        return drained;
    }

    /**
     * Fires an event on every open connection, each on its own event loop.
     *
     * @return completes when every connection has seen it
     */
    public CompletableFuture<Void> broadcast(Object event) {
        List<CompletableFuture<Void>> seen = new ArrayList<>();
        for (Channel channel : open) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            seen.add(done);
            try {
                channel.eventLoop().execute(() -> {
                    try {
                        channel.pipeline().fireUserEventTriggered(event);
                    } finally {
                        done.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) {
                done.complete(null); // the loop is shutting down: so is the connection
            }
        }
        return CompletableFuture.allOf(seen.toArray(CompletableFuture[]::new));
    }

    private void checkDrained() {
        if (!draining) {
            return;
        }
        // The group drops a channel when it closes, but possibly after this listener ran.
        List<Channel> tunnels = new ArrayList<>();
        for (Channel channel : open) {
            if (channel.isOpen()) {
                if (!Tunnel.isTunnel(channel)) {
                    return; // a request may still finish: wait for it
                }
                tunnels.add(channel);
            }
        }
        if (tunnels.isEmpty()) {
            drained.complete(null);
        } else {
            // Only tunnels are left, and a tunnel never ends by itself: waiting out the drain
            // timeout for them would only delay the stop.
            tunnels.forEach(ConnectionTracker::closeTunnel);
        }
    }

    private static void closeTunnel(Channel channel) {
        try {
            channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(DrainEvent.CLOSE_TUNNELS));
        } catch (RejectedExecutionException e) {
            channel.close();
        }
    }

    /** Closes whatever is still open (the drain timeout passed); tunnels first, so they are counted. */
    public void closeAll() {
        for (Channel channel : open) {
            if (Tunnel.isTunnel(channel)) {
                closeTunnel(channel);
            }
        }
        open.close().awaitUninterruptibly();
    }
}
