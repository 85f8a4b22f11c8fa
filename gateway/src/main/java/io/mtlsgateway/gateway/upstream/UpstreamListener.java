package io.mtlsgateway.gateway.upstream;

import io.netty.handler.codec.http.HttpObject;

/** What an upstream connection reports to the exchange that is using it. */
public interface UpstreamListener {
    /** A decoded response part; the listener owns it. */
    void onResponse(HttpObject message);

    /** The upstream connection finished a read: time to flush what was relayed. */
    void onUpstreamReadComplete();

    /** The upstream connection's writability changed. */
    void onUpstreamWritabilityChanged(boolean writable);

    /** Nothing moved on the connection in use for a whole idle timeout; it is being closed. */
    void onUpstreamIdle();

    /** The upstream connection closed or failed while in use. */
    void onUpstreamClosed(Throwable cause);
}
