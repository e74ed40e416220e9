package io.stickyws.samples.lab;

import io.stickyws.testkit.Backend;
import io.stickyws.testkit.Backends;
import io.stickyws.testkit.Binaries;
import io.stickyws.testkit.ManagedProcess;
import io.stickyws.testkit.Ports;
import io.stickyws.testkit.Wait;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The balancer lab: three backend JVMs ({@code s1..s3}, the testkit's {@code BackendMain}) and one real balancer on
 * loopback, started from the checked-in configuration of {@code samples/lab} ({@code haproxy.cfg}, {@code nginx.conf},
 * {@code Caddyfile}), whose {@code {{...}}} placeholders are filled with the ports picked at run time. No Docker,
 * nothing outside its directory, nothing left running: {@link #close()} (and Ctrl-C, through a shutdown hook) stops
 * every process it started; a temporary directory the command line created is deleted. It prints every process id,
 * takes commands on its standard input ({@link #control(String, PrintStream)}: kill, stop, start, drain a backend),
 * says when a backend dies, and stops everything, saying so, when the balancer dies.
 *
 * <p>Command line (what {@code samples/lab/run-lab.sh} runs):
 * {@code Lab <haproxy|nginx|caddy> [--configs DIR] [--dir DIR] [--for DURATION]}.
 *
 * <p>Start and close from one thread; {@link #control(String, PrintStream)} and the death watch are thread-safe.
 */
public final class Lab implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z0-9_]+)}}");

  /** The balancers of the lab, by command-line name. */
  public enum Balancer {
    /** HAProxy, {@code haproxy.cfg}. */
    HAPROXY("haproxy.cfg"),
    /** nginx, {@code nginx.conf}. */
    NGINX("nginx.conf"),
    /** Caddy, {@code Caddyfile}. */
    CADDY("Caddyfile");

    private final String configFile;

    Balancer(String configFile) {
      this.configFile = configFile;
    }

    /** The configuration file name in {@code samples/lab}. */
    public String configFile() {
      return configFile;
    }

    /** The balancer named {@code name}, e.g. {@code haproxy}. */
    public static Balancer parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("balancer (\"" + name + "\") must be haproxy, nginx or caddy");
      }
    }
  }

  private final Balancer balancer;
  private final Path dir;
  private final Backends backends;
  private final int port;
  private final int statsPort;
  private final Path renderedConfig;
  private final ManagedProcess process;
  private final AtomicBoolean closing = new AtomicBoolean();

  private Lab(Balancer balancer, Path dir, Backends backends, int port, int statsPort, Path renderedConfig,
      ManagedProcess process) {
    this.balancer = balancer;
    this.dir = dir;
    this.backends = backends;
    this.port = port;
    this.statsPort = statsPort;
    this.renderedConfig = renderedConfig;
    this.process = process;
  }

  /**
   * Starts three backends and {@code balancer} configured from {@code configs} (the {@code samples/lab} directory),
   * writing everything under {@code dir}; waits, bounded, until the balancer listens.
   */
  public static Lab start(Balancer balancer, Path configs, Path dir) {
    Path template = configs.resolve(balancer.configFile());
    if (!Files.isRegularFile(template)) {
      throw new IllegalArgumentException("no " + balancer.configFile() + " in " + configs);
    }
    Backends backends = Backends.start(mkdirs(dir.resolve("backends")), 3,
        id -> balancer == Balancer.NGINX ? List.of("route=" + id + "; Path=/") : List.of());
    try {
      Path balancerDir = mkdirs(dir.resolve(balancer.name().toLowerCase(Locale.ROOT)));
      for (int attempt = 1; ; attempt++) {
        int port = Ports.free();
        int statsPort = Ports.free();
        Map<String, String> values = new LinkedHashMap<>();
        values.put("BIND", Ports.HOST);
        values.put("PORT", String.valueOf(port));
        values.put("STATS_PORT", String.valueOf(statsPort));
        values.put("HTTPS_PORT", String.valueOf(Ports.free()));
        values.put("DIR", balancerDir.toString());
        values.put("USER_DIRECTIVE", "root".equals(System.getProperty("user.name"))
            ? "user root;  # run as root: workers must enter the lab's private directory" : "");
        List<Backend> all = backends.all();
        for (int i = 0; i < all.size(); i++) {
          values.put("S" + (i + 1), all.get(i).address());
        }
        Path rendered = write(balancerDir.resolve(balancer.configFile()), render(read(template), values));
        ManagedProcess process = launch(balancer, balancerDir, rendered, attempt);
        try {
          Wait.until(START_TIMEOUT, balancer + " to listen on " + port, () -> {
            if (!process.isAlive()) {
              throw new AssertionError(balancer + " exited with " + process.exitCode() + "\n" + process.logTail(30));
            }
            return Ports.accepting(port);
          }, () -> process.logTail(30));
          return new Lab(balancer, dir, backends, port, balancer == Balancer.HAPROXY ? statsPort : 0, rendered,
              process);
        } catch (AssertionError e) {
          process.kill();
          if (attempt >= 3 || !process.logTail(30).toLowerCase(Locale.ROOT).contains("in use")
              && !process.logTail(30).contains("cannot bind")) {
            throw e;
          }
        }
      }
    } catch (RuntimeException | Error e) {
      backends.close();
      throw e;
    }
  }

  /** Fills every {@code {{NAME}}} of {@code template}; an unknown name fails, naming it. */
  static String render(String template, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException("unknown placeholder {{" + matcher.group(1) + "}}");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static ManagedProcess launch(Balancer balancer, Path dir, Path config, int attempt) {
    Path log = dir.resolve(balancer.name().toLowerCase(Locale.ROOT) + "-" + attempt + ".log");
    switch (balancer) {
      case HAPROXY:
        return ManagedProcess.start("haproxy", List.of(binary("haproxy", Binaries.HAPROXY).toString(), "-db",
            "-f", config.toString()), dir, Map.of(), log, false);
      case NGINX:
        return ManagedProcess.start("nginx", List.of(binary("nginx", Binaries.NGINX).toString(), "-p",
            dir.toString(), "-c", config.toString(), "-e", dir.resolve("error.log").toString(), "-g", "daemon off;"),
            dir, Map.of(), log, false);
      default:
        return ManagedProcess.start("caddy", List.of(binary("caddy", Binaries.CADDY).toString(), "run",
            "--config", config.toString(), "--adapter", "caddyfile"), dir, Map.of(
                "HOME", dir.toString(),
                "XDG_DATA_HOME", dir.resolve("xdg-data").toString(),
                "XDG_CONFIG_HOME", dir.resolve("xdg-config").toString()), log, false);
    }
  }

  /**
   * {@code name} on the PATH, else {@code fallback} (the Debian location); fails with the install command when
   * neither is executable.
   */
  public static Path binary(String name, Path fallback) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        if (!entry.isEmpty()) {
          Path candidate = Path.of(entry, name);
          if (Files.isExecutable(candidate)) {
            return candidate;
          }
        }
      }
    }
    if (Files.isExecutable(fallback)) {
      return fallback;
    }
    String pkg = name.equals("nginx") ? "nginx-light" : name;
    throw new IllegalStateException(name + " is not installed: sudo apt-get install -y " + pkg);
  }

  /** The balancer. */
  public Balancer balancer() {
    return balancer;
  }

  /** {@code ws://127.0.0.1:<port><path>} through the balancer. */
  public URI wsUri(String path) {
    return URI.create("ws://" + Ports.HOST + ":" + port + path);
  }

  /** HAProxy's stats page; empty string for the other balancers. */
  public String statsUrl() {
    return statsPort == 0 ? "" : "http://" + Ports.HOST + ":" + statsPort + "/stats";
  }

  /** The backends. */
  public Backends backends() {
    return backends;
  }

  /** The configuration actually used: the checked-in one with its placeholders filled. */
  public Path renderedConfig() {
    return renderedConfig;
  }

  /** The balancer's process id. */
  public long balancerPid() {
    return process.pid();
  }

  /** Prints what runs where, with every process id. */
  public void describe(PrintStream out, Path template) {
    out.println("stickyws lab: " + balancer.name().toLowerCase(Locale.ROOT) + " in front of 3 backends, all on "
        + Ports.HOST);
    out.println("  lab           pid " + ProcessHandle.current().pid() + "  (Ctrl-C or `quit` stops everything)");
    out.println("  " + String.format(Locale.ROOT, "%-13s", name()) + " pid " + process.pid());
    for (Backend backend : backends.all()) {
      out.println("  backend " + backend.id() + "    http://" + backend.address() + "  (pid " + backend.pid() + ")");
    }
    out.println("  WebSocket     " + wsUri("/ws"));
    if (!statsUrl().isEmpty()) {
      out.println("  stats page    " + statsUrl());
    }
    out.println("  config        " + renderedConfig + "  (from " + template + ")");
    out.println("  logs          " + dir);
    out.println("  try           java -jar samples/target/sticky-check.jar " + wsUri("/ws"));
    out.println("                java -jar samples/target/sticky-check.jar " + wsUri("/ws") + " --no-cookies");
    out.flush();
  }

  private String name() {
    return balancer.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Calls {@code onDeath} with a sentence when the balancer exits while the lab is not closing (crash, {@code kill});
   * says on {@code out} when a backend dies, whoever killed it.
   */
  public void watch(PrintStream out, Consumer<String> onDeath) {
    long pid = process.pid();
    exited(pid).thenRun(() -> {
      if (!closing.get() && !shuttingDown()) {
        process.awaitExit(Duration.ofSeconds(2)); // this JVM's reaper may not have collected the exit code yet
        onDeath.accept(name() + " (pid " + pid + ") died" + exitText(process.exitCode())
            + ": stopping the backends and the lab");
      }
    });
    backends.all().forEach(backend -> watch(backend, out));
  }

  private void watch(Backend backend, PrintStream out) {
    long pid = backend.pid();
    exited(pid).thenRun(() -> {
      if (!closing.get() && !shuttingDown()) {
        out.println("backend " + backend.id() + " (pid " + pid + ") died; `start " + backend.id()
            + "` starts it again on " + backend.address());
        out.flush();
      }
    });
  }

  /** Completes when process {@code pid} has exited (at once if it already has). */
  private static CompletableFuture<?> exited(long pid) {
    return ProcessHandle.of(pid).<CompletableFuture<?>>map(ProcessHandle::onExit)
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  /** Whether this JVM is running its shutdown hooks (Ctrl-C): then deaths are the lab's own doing. */
  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> { }, "lab-shutdown-probe");
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static String exitText(int code) {
    return code < 0 ? "" : code > 128 ? " (signal " + (code - 128) + ")" : " (exit code " + code + ")";
  }

  /**
   * Runs one command of the lab's standard input and answers on {@code out}: {@code kill s1} (SIGKILL),
   * {@code stop s1} (SIGTERM), {@code start s1} (again, on its port), {@code drain s1} (close its WebSockets with
   * 1012), {@code status}, {@code help}, {@code quit}.
   *
   * @return {@code false} for {@code quit}, otherwise {@code true}
   */
  public synchronized boolean control(String line, PrintStream out) {
    String[] words = line.trim().split("\\s+");
    String command = words[0].toLowerCase(Locale.ROOT);
    try {
      switch (command) {
        case "":
          return true;
        case "quit":
        case "exit":
          return false;
        case "status":
          out.println(name() + " pid " + process.pid() + (process.isAlive() ? " up" : " DOWN"));
          backends.all().forEach(b -> out.println("backend " + b.id() + " " + b.address() + (b.isAlive()
              ? " up (pid " + b.pid() + ", " + b.openWebSockets() + " WebSockets)" : " DOWN")));
          return true;
        case "kill":
        case "stop":
        case "start":
        case "restart":
        case "drain":
          if (words.length != 2) {
            throw new IllegalArgumentException(command + " needs one backend: " + command + " s1");
          }
          backend(words[1], command, out);
          return true;
        default:
          throw new IllegalArgumentException("unknown command " + words[0]);
      }
    } catch (RuntimeException | AssertionError e) {
      out.println("lab: " + e.getMessage() + "  (commands: kill s1 | stop s1 | start s1 | drain s1 | status | quit)");
      return true;
    } finally {
      out.flush();
    }
  }

  private void backend(String id, String command, PrintStream out) {
    Backend backend = backends.get(id);
    switch (command) {
      case "kill":
      case "stop":
        if (!backend.isAlive()) {
          throw new IllegalStateException("backend " + id + " is not running");
        }
        long pid = backend.pid();
        if (command.equals("kill")) {
          backend.kill();
        } else {
          backend.stop();
        }
        out.println((command.equals("kill") ? "killed (SIGKILL)" : "stopped (SIGTERM)") + " backend " + id + " (pid "
            + pid + ")");
        return;
      case "drain":
        if (balancer == Balancer.HAPROXY) {
          haproxyAdmin("set server be/" + id + " state drain");
          out.println("haproxy: server " + id + " set to drain (no new clients without its cookie)");
        }
        out.println("backend " + id + " closed " + backend.closeAll(1012) + " WebSockets with 1012");
        return;
      default:
        if (backend.isAlive()) {
          throw new IllegalStateException("backend " + id + " is already running (pid " + backend.pid() + ")");
        }
        backend.start();
        watch(backend, out);
        if (balancer == Balancer.HAPROXY) {
          haproxyAdmin("set server be/" + id + " state ready"); // undoes a drain; health checks bring it up
        }
        out.println("started backend " + id + " (pid " + backend.pid() + ") http://" + backend.address());
    }
  }

  /** One command on HAProxy's admin socket ({@code stats socket} of {@code haproxy.cfg}); fails on any answer. */
  private void haproxyAdmin(String command) {
    Path socket = renderedConfig.getParent().resolve("admin.sock");
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel.shutdownOutput();
      ByteBuffer answer = ByteBuffer.allocate(4096);
      while (channel.read(answer) >= 0 && answer.hasRemaining()) {
        // read to the end: HAProxy closes after one command
      }
      answer.flip();
      String text = StandardCharsets.UTF_8.decode(answer).toString().trim();
      if (!text.isEmpty()) {
        throw new IllegalStateException("haproxy refused '" + command + "': " + text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("haproxy admin socket " + socket + ": " + command, e);
    }
  }

  /** Stops the balancer, then the backends; bounded. */
  @Override
  public void close() {
    closing.set(true);
    try {
      process.stop(Duration.ofSeconds(5));
    } finally {
      backends.close();
    }
  }

  /** See the class comment for the arguments. */
  public static void main(String[] args) throws InterruptedException {
    io.stickyws.samples.lab.ClassPath.makeAbsolute();
    List<String> rest = new ArrayList<>(List.of(args));
    Path configs = Path.of("samples", "lab");
    Path dir = null;
    Duration runFor = null;
    Balancer balancer = null;
    try {
      for (int i = 0; i < rest.size(); i++) {
        String arg = rest.get(i);
        switch (arg) {
          case "--configs": configs = Path.of(rest.get(++i)); break;
          case "--dir": dir = Path.of(rest.get(++i)); break;
          case "--for": runFor = io.stickyws.samples.check.Durations.parse(rest.get(++i)); break;
          default:
            if (balancer != null || arg.startsWith("-")) {
              throw new IllegalArgumentException("unexpected argument " + arg);
            }
            balancer = Balancer.parse(arg);
        }
      }
      if (balancer == null) {
        throw new IllegalArgumentException("which balancer? haproxy, nginx or caddy");
      }
    } catch (RuntimeException e) {
      System.err.println("lab: " + e.getMessage());
      System.err.println("usage: run-lab.sh <haproxy|nginx|caddy> [--for DURATION] [--dir DIR]");
      System.exit(2);
      return;
    }
    Path created;
    try {
      created = dir == null ? Files.createTempDirectory("stickyws-lab-") : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path workDir = created != null ? created : dir;
    AtomicReference<Lab> running = new AtomicReference<>();
    AtomicBoolean stopped = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Runnable stop = () -> {
      if (stopped.compareAndSet(false, true)) {
        Lab lab = running.get();
        if (lab != null) {
          lab.close();
        }
        if (created != null) {
          TempDirs.delete(created);
        }
        done.countDown();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "lab-shutdown")); // Ctrl-C, SIGTERM
    Lab lab;
    try {
      lab = start(balancer, configs, workDir);
    } catch (RuntimeException | AssertionError e) {
      System.err.println("lab: " + e.getMessage());
      System.exit(1);
      return;
    }
    running.set(lab);
    lab.describe(System.out, configs.resolve(balancer.configFile()).toAbsolutePath());
    if (created != null) {
      System.out.println("  (the logs' directory is temporary: deleted when the lab stops; --dir DIR keeps them)");
    }
    System.out.println("commands: kill s1 | stop s1 | start s1 | drain s1 | status | quit");
    System.out.println(runFor == null ? "Ctrl-C stops everything." : "running for " + runFor.toSeconds() + "s");
    System.out.flush();
    lab.watch(System.out, death -> {
      System.out.println(death);
      System.out.flush();
      new Thread(() -> System.exit(1), "lab-exit").start(); // the shutdown hook stops the rest
    });
    Thread commands = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (!lab.control(line, System.out)) {
            System.out.println("stopping");
            System.out.flush();
            System.exit(0);
          }
        }
      } catch (IOException e) {
        // no more commands; Ctrl-C still stops the lab
      }
    }, "lab-commands");
    commands.setDaemon(true);
    commands.start();
    if (runFor == null) {
      done.await();
    } else {
      done.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
      System.out.println("stopping");
      System.exit(0);
    }
  }

  private static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
