package io.stickyws.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KnownBalancersTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '=', value = {
      "SERVERID = HAProxy",
      "AWSALB = AWS ALB",
      "AWSALBCORS = AWS ALB",
      "AWSALBAPP-0 = AWS ALB",
      "AWSALBAPP-3 = AWS ALB",
      "AWSALBTG = AWS ALB",
      "AWSALBTGCORS = AWS ALB",
      "AWSELB = AWS ELB",
      "AWSELBCORS = AWS ELB",
      "INGRESSCOOKIE = Kubernetes ingress-nginx",
      "lb = Caddy",
      "route = nginx",
      "srv_id = nginx",
      "_0a9f3 = Traefik",
      "_12345 = Traefik",
      "GCLB = Google Cloud Load Balancing",
      "GCILB = Google Cloud Load Balancing",
      "ApplicationGatewayAffinity = Azure Application Gateway",
      "ApplicationGatewayAffinityCORS = Azure Application Gateway",
      "ARRAffinity = Azure App Service",
      "ARRAffinitySameSite = Azure App Service",
      "ASLBSA = Azure App Service",
      "ASLBSACORS = Azure App Service",
      "BIGipServerpool_web = F5 BIG-IP",
      "NSC_web-vserver = Citrix ADC",
      "__cflb = Cloudflare",
      "heroku-session-affinity = Heroku",
      "__VCAP_ID__ = Cloud Foundry",
      "ROUTEID = Apache httpd",
  })
  void recognisesBuiltInCookieName(String name, String balancer) {
    assertThat(KnownBalancers.balancerOf(name)).contains(balancer);
    assertThat(KnownBalancers.balancerOf(name, "s1")).contains(balancer);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SERVERIDX", "serverid", "XSERVERID", "AWSALBX", "awsalb", "LB", "lbx", "Route",
      "_12345z", "_1234", "_123456", "_ABCDE", "12345", "PHPSESSID", "SESSION", "GCLBX",
      "cflb", "ROUTEID2", "NSC", "BIGip"
  })
  void ignoresOtherNames(String name) {
    assertThat(KnownBalancers.balancerOf(name)).isEmpty();
    assertThat(KnownBalancers.balancerOf(name, "s1")).isEmpty();
  }

  @Test
  void plainJsessionIdIsNotAnAffinityToken() {
    assertThat(KnownBalancers.balancerOf("JSESSIONID", "8A3F0C2B9D41E7")).isEmpty();
  }

  @Test
  void jsessionIdNameAloneDoesNotTell() {
    assertThat(KnownBalancers.balancerOf("JSESSIONID")).isEmpty();
  }

  @Test
  void jsessionIdWithTomcatRouteIsTomcat() {
    assertThat(KnownBalancers.balancerOf("JSESSIONID", "8A3F0C2B9D41E7.node1")).contains("Tomcat");
  }

  @Test
  void jsessionIdInHaproxyPrefixModeIsHaproxy() {
    assertThat(KnownBalancers.balancerOf("JSESSIONID", "s1~8A3F0C2B9D41E7")).contains("HAProxy");
  }

  @Test
  void emptyValueIsNotAnAffinityToken() {
    assertThat(KnownBalancers.balancerOf("SERVERID", "")).isEmpty();
  }

  @Test
  void rejectsNullName() {
    assertThatNullPointerException()
        .isThrownBy(() -> KnownBalancers.balancerOf(null))
        .withMessage("cookieName == null");
  }
}
