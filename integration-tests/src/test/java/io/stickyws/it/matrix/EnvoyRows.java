package io.stickyws.it.matrix;

/**
 * The labels of the matrix rows run through the testkit's Envoy-style router, an emulation of Envoy's stateful session
 * (Envoy cannot be installed on the lab machines).
 *
 * <p>Constants only; thread-safe.
 */
final class EnvoyRows {
  /** The balancer column of the non-strict rows. */
  static final String ROUTER = "**Emulation**: Envoy-style router, stateful session cookie gw-session (value-shape)";
  /** The balancer column of the strict row. */
  static final String STRICT = "**Emulation**: Envoy-style router, strict (503 while the pinned host is down)";
  /** The balancer column of the header-mode rows. */
  static final String HEADER = "**Emulation**: Envoy-style router, stateful session header x-gw-host (value-shape)";
  /** The sentence under the title. */
  static final String NOTE = "Rows marked **Emulation** run the testkit's Envoy-style router (EnvoyRouterMain), not Envoy. ";

  private EnvoyRows() {}
}
