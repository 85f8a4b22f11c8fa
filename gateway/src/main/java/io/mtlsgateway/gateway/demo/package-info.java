/** The one-command demo: throwaway PKI, an upstream that echoes who called, and a gateway in front of it. */
package io.mtlsgateway.gateway.demo;
