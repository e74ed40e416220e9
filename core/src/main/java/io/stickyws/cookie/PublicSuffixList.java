package io.stickyws.cookie;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The Public Suffix List (<a href="https://publicsuffix.org/">publicsuffix.org</a>): which domains
 * are registries ({@code com}, {@code co.uk}) or shared hosting platforms ({@code github.io}) that
 * must not receive a {@code Domain} cookie (RFC 6265 §5.3 step 5).
 *
 * <p>Both the ICANN and the private sections are used; wildcard ({@code *.}) and exception
 * ({@code !}) rules are honoured, and an unlisted top-level domain is a public suffix (the
 * implicit {@code *} rule). Internationalized entries are matched both as written and in punycode.
 * {@link #defaultList()} is the copy bundled with stickyws, loaded lazily once; {@link #load(Path)}
 * reads a fresher copy downloaded by the application.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PublicSuffixList {
  private static final String RESOURCE = "effective_tld_names.dat";

  private final Set<String> rules;
  private final Set<String> wildcards;
  private final Set<String> exceptions;

  private PublicSuffixList(Set<String> rules, Set<String> wildcards, Set<String> exceptions) {
    this.rules = rules;
    this.wildcards = wildcards;
    this.exceptions = exceptions;
  }

  private static final class Holder {
    static final PublicSuffixList DEFAULT = loadDefault();

    private static PublicSuffixList loadDefault() {
      InputStream in = PublicSuffixList.class.getResourceAsStream(RESOURCE);
      if (in == null) {
        throw new IllegalStateException("classpath resource io/stickyws/cookie/" + RESOURCE
            + " is missing: the stickyws-core jar is incomplete");
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        return parse(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read io/stickyws/cookie/" + RESOURCE, e);
      }
    }
  }

  /**
   * The list bundled with stickyws (Mozilla's list as shipped with the build), parsed on first use.
   *
   * @return the shared default list
   */
  public static PublicSuffixList defaultList() {
    return Holder.DEFAULT;
  }

  /**
   * Reads a list in the {@code public_suffix_list.dat} format from a file.
   *
   * @param file the file, UTF-8
   * @return the list
   * @throws IOException if the file cannot be read
   */
  public static PublicSuffixList load(Path file) throws IOException {
    Objects.requireNonNull(file, "file == null");
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader);
    }
  }

  /**
   * Reads a list in the {@code public_suffix_list.dat} format. The reader is not closed.
   *
   * @param reader the list text
   * @return the list
   * @throws IOException if reading fails
   */
  public static PublicSuffixList parse(Reader reader) throws IOException {
    Objects.requireNonNull(reader, "reader == null");
    Set<String> rules = new HashSet<>();
    Set<String> wildcards = new HashSet<>();
    Set<String> exceptions = new HashSet<>();
    BufferedReader lines =
        reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
    String line;
    while ((line = lines.readLine()) != null) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("//")) {
        continue;
      }
      int space = indexOfWhitespace(line);
      if (space >= 0) {
        line = line.substring(0, space);
      }
      Set<String> target = rules;
      if (line.startsWith("!")) {
        target = exceptions;
        line = line.substring(1);
      } else if (line.startsWith("*.")) {
        target = wildcards;
        line = line.substring(2);
      }
      if (line.isEmpty()) {
        continue;
      }
      String lower = line.toLowerCase(Locale.ROOT);
      target.add(lower);
      String ascii = toAscii(lower);
      if (ascii != null) {
        target.add(ascii);
      }
    }
    return new PublicSuffixList(Set.copyOf(rules), Set.copyOf(wildcards), Set.copyOf(exceptions));
  }

  /**
   * Whether {@code domain} is itself a public suffix ({@code co.uk}, {@code github.io}, an unlisted
   * top-level domain).
   *
   * @param domain a domain name, any case, without a leading dot
   * @return {@code true} if it is a public suffix
   */
  public boolean isPublicSuffix(String domain) {
    Objects.requireNonNull(domain, "domain == null");
    String d = normalize(domain);
    if (d.isEmpty() || exceptions.contains(d)) {
      return false;
    }
    // d is its own public suffix when a rule names it, a wildcard covers it, or it is a bare
    // top-level label (the implicit "*" rule); shorter candidates can never equal d.
    int dot = d.indexOf('.');
    return rules.contains(d) || (dot >= 0 && wildcards.contains(d.substring(dot + 1))) || dot < 0;
  }

  /**
   * The public suffix of {@code domain}: {@code co.uk} for {@code www.example.co.uk}.
   *
   * @param domain a domain name, any case
   * @return its public suffix, lower case
   */
  public String publicSuffix(String domain) {
    Objects.requireNonNull(domain, "domain == null");
    return publicSuffixOf(normalize(domain));
  }

  private static String normalize(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    while (d.startsWith(".")) {
      d = d.substring(1);
    }
    while (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    return d;
  }

  private String publicSuffixOf(String d) {
    int start = 0;
    while (true) {
      String candidate = d.substring(start);
      int dot = candidate.indexOf('.');
      String parent = dot < 0 ? null : candidate.substring(dot + 1);
      if (exceptions.contains(candidate)) {
        return parent == null ? candidate : parent;
      }
      if (rules.contains(candidate) || (parent != null && wildcards.contains(parent))) {
        return candidate;
      }
      if (dot < 0) {
        return candidate; // the implicit "*" rule: the top-level label
      }
      start += dot + 1;
    }
  }

  private static int indexOfWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String toAscii(String label) {
    for (int i = 0; i < label.length(); i++) {
      if (label.charAt(i) >= 0x80) {
        try {
          return IDN.toASCII(label, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "PublicSuffixList{" + (rules.size() + wildcards.size() + exceptions.size()) + " rules}";
  }
}
