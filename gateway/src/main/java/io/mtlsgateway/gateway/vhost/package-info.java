/**
 * Virtual hosts on one listener, without Netty: which host entry a server name (the SNI of a
 * ClientHello, or a request's Host) selects, and what a request may do on a connection bound to one.
 */
package io.mtlsgateway.gateway.vhost;
