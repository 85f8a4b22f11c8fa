/** The immutable route table, path normalisation and per-route authorization: pure functions of the request. */
package io.mtlsgateway.gateway.routing;
