package io.stickyws.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HAProxy's admin {@code stats socket}, driven over the unix socket (Java 16+ {@link UnixDomainSocketAddress}): one
 * command per connection, the answer read until HAProxy closes.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HaproxyAdmin {
  /** Administrative server states settable with {@code set server <be>/<srv> state <state>}. */
  public enum State {
    /** Takes traffic. */
    READY,
    /** No new load-balanced traffic; cookie-persistent traffic still lands here. */
    DRAIN,
    /** No traffic at all; persistent clients are redispatched. */
    MAINT
  }

  private final Path socket;
  private final String backend;

  HaproxyAdmin(Path socket, String backend) {
    this.socket = socket;
    this.backend = backend;
  }

  /** Sends one command (e.g. {@code show servers state}) and returns the whole answer. */
  public String command(String command) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel.shutdownOutput();
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      StringBuilder answer = new StringBuilder();
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        answer.append(StandardCharsets.UTF_8.decode(buffer));
        buffer.clear();
      }
      return answer.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("HAProxy admin command '" + command + "' on " + socket + " failed", e);
    }
  }

  /** {@code set server be/<server> state <state>}; fails if HAProxy answers anything but an empty line. */
  public void setState(String server, State state) {
    String answer = command("set server " + backend + "/" + server + " state " + state.name().toLowerCase(Locale.ROOT));
    if (!answer.isBlank()) {
      throw new AssertionError("HAProxy refused to set " + server + " to " + state + ": " + answer.trim());
    }
  }

  /**
   * The status column of {@code show stat} for each server of the backend: {@code UP}, {@code DOWN}, {@code DRAIN},
   * {@code MAINT}, or transitional values such as {@code UP 1/2} and {@code DOWN 1/2}.
   */
  public Map<String, String> serverStatus() {
    Map<String, String> status = new LinkedHashMap<>();
    List<String> lines = command("show stat").lines().toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
      throw new AssertionError("unexpected 'show stat' answer: " + lines);
    }
    List<String> columns = List.of(lines.get(0).substring(2).split(","));
    int pxname = columns.indexOf("pxname");
    int svname = columns.indexOf("svname");
    int statusColumn = columns.indexOf("status");
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(",", -1);
      if (fields.length > statusColumn && fields[pxname].equals(backend)
          && !fields[svname].equals("BACKEND") && !fields[svname].equals("FRONTEND")) {
        status.put(fields[svname], fields[statusColumn]);
      }
    }
    return status;
  }

  /** The status of one server, see {@link #serverStatus()}. */
  public String status(String server) {
    return serverStatus().get(server);
  }

  /** The raw {@code show servers state} answer (operational and administrative state per server). */
  public String serversState() {
    return command("show servers state " + backend);
  }
}
