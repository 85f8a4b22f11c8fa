package io.mtlsgateway.config;

/** The socket transport: {@code auto} prefers native epoll and falls back to NIO. */
public enum Transport {
    AUTO("auto"),
    EPOLL("epoll"),
    IO_URING("io_uring"),
    NIO("nio");

    private final String yamlName;

    Transport(String yamlName) {
        this.yamlName = yamlName;
    }

    /** The spelling used in the route file. */
    public String yamlName() {
        return yamlName;
    }
}
