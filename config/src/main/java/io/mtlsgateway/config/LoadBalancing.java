package io.mtlsgateway.config;

/** How an upstream picks the endpoint for the next request. */
public enum LoadBalancing {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin"),
    /** The endpoint with the fewest requests in flight (ties in turn). */
    LEAST_OUTSTANDING("least-outstanding");

    private final String yamlName;

    LoadBalancing(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
