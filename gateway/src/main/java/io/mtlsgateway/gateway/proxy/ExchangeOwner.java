package io.mtlsgateway.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * What an {@link Exchange} may ask of the connection it serves: the whole of their conversation,
 * so the exchange never reaches into the connection's handler.
 */
interface ExchangeOwner {
    /**
     * Whether messages of the current read may still follow. A request head is not flushed upstream
     * until the read ends, so a malformed body later in the same read (a bad chunk size) aborts the
     * exchange before a single byte of it reaches the upstream.
     */
    boolean reading();

    /** The connection's clock for the route's response timeout, which its exchanges take in turn. */
    DeadlineTimer responseClock();

    /** The gateway is stopping or stopped trusting the client: the response closes the connection. */
    boolean draining();

    /** Whether the exchange wants request data changed: the owner decides anew whether to read. */
    void readinessChanged();

    /** The request is done (counted and logged once, however often this is called). */
    void requestDone(RequestRecord record);

    /** The response was written, or the exchange failed; {@code closeConnection} once it is out. */
    void exchangeFinished(Exchange exchange, ChannelFuture lastWrite, boolean closeConnection);

    /** The upstream agreed to switch protocols and the 101 is on its way: the connection becomes a tunnel. */
    void upgraded(Exchange exchange, Channel upstream);
}
