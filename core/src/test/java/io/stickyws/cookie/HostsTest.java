package io.stickyws.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class HostsTest {
  @Test
  void domainMatchesItselfAndParentsOnDotBoundaries() {
    assertThat(Hosts.domainMatch("www.example.com", "example.com")).isTrue();
    assertThat(Hosts.domainMatch("example.com", "example.com")).isTrue();
    assertThat(Hosts.domainMatch("badexample.com", "example.com")).isFalse();
    assertThat(Hosts.domainMatch("example.com", "www.example.com")).isFalse();
  }

  @Test
  void ipAddressesOnlyMatchThemselves() {
    assertThat(Hosts.domainMatch("10.0.0.1", "0.0.1")).isFalse();
    assertThat(Hosts.domainMatch("10.0.0.1", "10.0.0.1")).isTrue();
    assertThat(Hosts.isIpAddress("[::1]")).isTrue();
    assertThat(Hosts.isIpAddress("1.2.3.example")).isFalse();
  }

  @Test
  void canonicalHostIsLowerCaseAndPunycode() {
    assertThat(Hosts.canonicalHost(URI.create("wss://WWW.Example.ORG:8443/x"))).isEqualTo("www.example.org");
    assertThat(Hosts.canonicalize("bücher.example")).isEqualTo("xn--bcher-kva.example");
  }

  @Test
  void defaultPathIsTheDirectoryOfTheRequestPath() {
    assertThat(Hosts.defaultPath(URI.create("http://h/"))).isEqualTo("/");
    assertThat(Hosts.defaultPath(URI.create("http://h"))).isEqualTo("/");
    assertThat(Hosts.defaultPath(URI.create("http://h/a"))).isEqualTo("/");
    assertThat(Hosts.defaultPath(URI.create("http://h/a/b/c?q=1"))).isEqualTo("/a/b");
    assertThat(Hosts.defaultPath(URI.create("http://h/a/b/"))).isEqualTo("/a/b");
  }

  @Test
  void pathMatchesOnSegmentBoundaries() {
    assertThat(Hosts.pathMatch("/a/b", "/a")).isTrue();
    assertThat(Hosts.pathMatch("/a/b", "/a/")).isTrue();
    assertThat(Hosts.pathMatch("/a", "/a")).isTrue();
    assertThat(Hosts.pathMatch("/ab", "/a")).isFalse();
    assertThat(Hosts.pathMatch("/", "/a")).isFalse();
  }
}
