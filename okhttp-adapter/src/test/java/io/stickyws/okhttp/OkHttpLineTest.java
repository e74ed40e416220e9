package io.stickyws.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each surefire execution really runs on the OkHttp line it names, and on one OkHttp only. */
class OkHttpLineTest {
  @Test
  void runsOnTheNamedOkHttpLineAlone() {
    String line = System.getProperty("stickyws.okhttp.line");
    assertThat(line).as("-Dstickyws.okhttp.line (set by the surefire execution)").isIn("4", "5");

    assertThat(OkHttpLine.version()).startsWith(line.equals("5") ? "5.5." : "4.12.");
    String classPath = System.getProperty("java.class.path");
    assertThat(classPath).contains(line.equals("5") ? "okhttp-jvm-5." : "okhttp-4.12.")
        .doesNotContain(line.equals("5") ? "okhttp-4.12." : "okhttp-jvm-");
  }
}
