package io.stickyws.it.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stickyws.it.rig.RigExtension;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Binaries;
import io.stickyws.testkit.Haproxy;
import io.stickyws.testkit.Rig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application on OkHttp 4.12 that adds stickyws-okhttp (module {@code
 * integration-tests/okhttp4-consumer}): its resolved class path holds okhttp-4.12.0 and no
 * okhttp-jvm, and, run in its own JVM on exactly that class path, it sticks to one backend
 * through a real HAProxy (three backend JVMs, {@code cookie SERVERID insert indirect}).
 */
class OkHttp4ConsumerIT {
  private static final Path CONSUMER = Path.of("okhttp4-consumer", "target");
  private static final int CONNECTIONS = 10;

  @RegisterExtension
  static final RigExtension RIG = new RigExtension();

  private static List<String> classPath() throws IOException {
    Path file = CONSUMER.resolve("runtime-classpath.txt");
    assertThat(file).as("written by the consumer module's build (dependency:build-classpath)")
        .isRegularFile();
    return Arrays.asList(Files.readString(file, StandardCharsets.UTF_8).trim()
        .split(File.pathSeparator));
  }

  @Test
  void theConsumersClassPathHoldsOkHttp412AndNoOkHttpJvm() throws IOException {
    List<String> jars = classPath().stream().map(p -> Path.of(p).getFileName().toString())
        .collect(Collectors.toList());

    assertThat(jars).contains("okhttp-4.12.0.jar").anyMatch(j -> j.startsWith("stickyws-okhttp"))
        .noneMatch(j -> j.startsWith("okhttp-jvm"))
        .filteredOn(j -> j.startsWith("okhttp")).containsExactly("okhttp-4.12.0.jar");
  }

  @Test
  void sticksToOneBackendThroughHaproxyOnOkHttp412() throws Exception {
    Rig rig = RIG.rig();
    Backends backends = rig.backends(3);
    Haproxy haproxy = rig.haproxy(backends, h -> { });
    Path consumerJar;
    try (var jars = Files.list(CONSUMER)) {
      consumerJar = jars.filter(p -> p.getFileName().toString().matches(
          "stickyws-okhttp4-consumer-.*\\.jar")).findFirst().orElseThrow();
    }
    String cp = consumerJar + File.pathSeparator + String.join(File.pathSeparator, classPath());
    Path out = rig.dir().resolve("consumer.out");
    Process consumer = new ProcessBuilder(Binaries.jdkTool("java").toString(), "-cp", cp,
        "io.stickyws.consumer.OkHttp4Consumer", haproxy.wsUri("/ws").toString(),
        String.valueOf(CONNECTIONS))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertThat(consumer.waitFor(120, TimeUnit.SECONDS)).as("consumer ended within 120 s")
          .isTrue();
    } finally {
      consumer.destroyForcibly();
      consumer.waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(consumer.exitValue()).as(output).isZero();

    List<String> lines = output.lines().collect(Collectors.toList());
    assertThat(lines).as(output).contains("OKHTTP 4.12.0");
    List<String> landings = lines.stream().filter(l -> l.startsWith("LANDED "))
        .collect(Collectors.toList());
    assertThat(landings).as(output).hasSize(CONNECTIONS);
    assertThat(landings.get(0)).as(output).matches("LANDED \\{\"server\":\"s[123]\"\\}");
    assertThat(landings).as("every connection on the first one's backend").containsOnly(landings.get(0));
  }
}
