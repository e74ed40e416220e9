/**
 * Quick starts, one small class each: {@link io.stickyws.samples.examples.OkHttpQuickStart},
 * {@link io.stickyws.samples.examples.JdkQuickStart}, {@link io.stickyws.samples.examples.JavaWebSocketQuickStart},
 * {@link io.stickyws.samples.examples.PersistentJarExample}, {@link io.stickyws.samples.examples.CustomPolicyExample},
 * {@link io.stickyws.samples.examples.AffinityByHeaderExample}. Each has a {@code main(String[] args)} taking a
 * {@code ws://} URL and is run by a test against a local server.
 */
package io.stickyws.samples.examples;
