package io.mtlsgateway.config;

/** When a pooled upstream connection may serve a request of another client connection. */
public enum ConnectionReuse {
    /**
     * Right after a response, a connection serves only the client connection it just served; any
     * other waits until the connection has been quiet (read nothing) for a short quarantine, so
     * late bytes from a broken upstream close it instead of reaching another client.
     */
    SAFE("safe"),
    /** Any idle connection serves any client at once (nginx's behaviour): the most reuse. */
    ALWAYS("always");

    private final String yamlName;

    ConnectionReuse(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
