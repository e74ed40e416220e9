/**
 * The reconnect machinery behind {@link io.stickyws.ReconnectPolicy}: one {@link
 * io.stickyws.internal.reconnect.Backoff} per outage, built on resilience4j-retry's {@code
 * Retry.AsyncContext} with our own interval function. Not public API: may change in any release.
 */
package io.stickyws.internal.reconnect;
