/** Offline checks of deploy/: the Kubernetes manifests against the API model, and their settings. */
package io.mtlsgateway.deploy;
