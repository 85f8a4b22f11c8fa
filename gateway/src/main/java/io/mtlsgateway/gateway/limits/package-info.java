/** Rate and concurrency limits per source address and per verified identity: plain Java, one instance per event loop. */
package io.mtlsgateway.gateway.limits;
