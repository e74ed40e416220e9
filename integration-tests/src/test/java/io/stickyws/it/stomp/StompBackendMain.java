package io.stickyws.it.stomp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.messaging.simp.SimpMessagingTemplate;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.stereotype.Controller;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.socket.config.annotation.EnableWebSocketMessageBroker;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;

/**
 * One STOMP backend as users run it: Spring's STOMP support with its simple broker, on embedded Tomcat, in its own
 * JVM. Endpoint {@code /stomp}; {@code SEND /app/whoami} with a nonce answers {@code "<nonce> <id>"} on
 * {@code /topic/whoami}; {@code /topic/ticks} carries the backend id every 100 ms; {@code GET /health} answers 200.
 * Arguments: backend id, port. Exits when its stdin closes (the test JVM died).
 */
public final class StompBackendMain {
  static volatile String backendId;

  private StompBackendMain() {}

  /** Entry point: {@code <id> <port>}. */
  public static void main(String[] args) throws Exception {
    backendId = args[0];
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("stomp-" + backendId).toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.getConnector().setPort(Integer.parseInt(args[1]));
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(new WsSci(), null);
    AnnotationConfigWebApplicationContext spring = new AnnotationConfigWebApplicationContext();
    spring.register(StompConfig.class);
    Tomcat.addServlet(context, "health", new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.getWriter().write("ok " + backendId);
      }
    });
    context.addServletMappingDecoded("/health", "health");
    Tomcat.addServlet(context, "spring", new DispatcherServlet(spring)).setLoadOnStartup(1);
    context.addServletMappingDecoded("/", "spring");
    tomcat.start();
    System.out.println("STOMP backend " + backendId + " listening on " + args[1]);
    while (System.in.read() != -1) {
      // runs until the parent closes our stdin or kills us
    }
    tomcat.stop();
    System.exit(0);
  }

  /** The STOMP endpoint, the simple broker and the application destinations. */
  @Configuration
  @EnableWebSocketMessageBroker
  public static class StompConfig implements WebSocketMessageBrokerConfigurer {
    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
      registry.addEndpoint("/stomp");
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
      registry.enableSimpleBroker("/topic");
      registry.setApplicationDestinationPrefixes("/app");
    }

    @Bean
    WhoAmI whoAmI() {
      return new WhoAmI();
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService ticker(SimpMessagingTemplate template) {
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ticker");
        thread.setDaemon(true);
        return thread;
      });
      ticker.scheduleAtFixedRate(() -> template.convertAndSend("/topic/ticks", backendId),
          100, 100, TimeUnit.MILLISECONDS);
      return ticker;
    }
  }

  /** Answers who serves this connection. */
  @Controller
  public static class WhoAmI {
    /** @return the nonce and this backend's id */
    @MessageMapping("/whoami")
    @SendTo("/topic/whoami")
    public String whoami(String nonce) {
      return nonce + " " + backendId;
    }
  }
}
