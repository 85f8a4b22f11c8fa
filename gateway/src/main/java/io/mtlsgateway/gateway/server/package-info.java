/** The running gateway: transport, event loops, listeners and their lifecycle. */
package io.mtlsgateway.gateway.server;
