/**
 * Micrometer metrics for stickyws: {@link io.stickyws.micrometer.StickyWebSocketMetrics}, a
 * {@code MeterBinder} that observes the connections of a {@link io.stickyws.StickySession}.
 */
package io.stickyws.micrometer;
