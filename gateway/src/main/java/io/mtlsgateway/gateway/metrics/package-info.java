/** Pre-registered Prometheus meters with bounded labels, and the admin endpoint that serves them. */
package io.mtlsgateway.gateway.metrics;
