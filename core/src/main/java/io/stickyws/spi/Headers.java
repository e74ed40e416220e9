package io.stickyws.spi;

import io.stickyws.spi.Loggable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Header look-ups shared by the request and response types. */
final class Headers {
  private Headers() {}

  static List<String> values(Map<String, List<String>> headers, String name) {
    List<String> result = null;
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        if (result == null) {
          result = new ArrayList<>(entry.getValue());
        } else {
          result.addAll(entry.getValue());
        }
      }
    }
    return result == null ? List.of() : List.copyOf(result);
  }
}
