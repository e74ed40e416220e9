/**
 * The fan-out that calls a session's {@link io.stickyws.SessionObserver}s. Not public API: may
 * change in any release.
 */
package io.stickyws.internal.observe;
