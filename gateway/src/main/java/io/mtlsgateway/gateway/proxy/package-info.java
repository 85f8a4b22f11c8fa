/**
 * The downstream request stage: the HTTP handler, the pure request planner, the exchange that relays
 * one request and its response, and the gateway's own error answers.
 */
package io.mtlsgateway.gateway.proxy;
