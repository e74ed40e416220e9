/**
 * The stickyws transport for any Jakarta WebSocket 2.1+ client container:
 * {@link io.stickyws.jakarta.JakartaTransport}.
 */
package io.stickyws.jakarta;
