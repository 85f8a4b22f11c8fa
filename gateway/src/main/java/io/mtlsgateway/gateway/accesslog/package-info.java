/** The per-request JSON access log, written by its own thread so the event loops never wait on I/O. */
package io.mtlsgateway.gateway.accesslog;
