package io.mtlsgateway.gateway.pipeline;

/** Why the gateway itself asked an h2 client to go away; a bounded metrics label. */
enum GoAwayReason {
    MAX_AGE, MAX_REQUESTS, IDLE, DRAIN, UNTRUSTED, CONTROL_FLOOD, CONNECTION_LIMIT
}
