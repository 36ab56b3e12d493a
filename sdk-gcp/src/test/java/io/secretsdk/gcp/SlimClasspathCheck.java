package io.secretsdk.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Runs only in the {@code slim-http-json} surefire execution: proves that the gRPC runtime,
 * Netty, Conscrypt and the v1beta protos are really off the class path there, so that the HTTP/JSON
 * tests that run beside it show the README's slim set works.
 */
class SlimClasspathCheck {

  @Test
  void theJarsTheReadmeExcludesAreNotOnTheClassPath() {
    for (String absent : new String[] {
        "io.grpc.internal.GrpcUtil", // grpc-core
        "io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder", // grpc-netty-shaded
        "io.grpc.xds.XdsNameResolverProvider", // grpc-xds
        "io.grpc.alts.AltsChannelBuilder", // grpc-alts
        "io.grpc.stub.ClientCalls", // grpc-stub
        "io.grpc.protobuf.ProtoUtils", // grpc-protobuf
        "org.conscrypt.Conscrypt", // conscrypt
        "io.perfmark.PerfMark", // perfmark
        "com.google.re2j.Pattern", // re2j
        "com.google.cloud.secretmanager.v1beta2.SecretVersion"}) { // proto v1beta2
      assertThatThrownBy(() -> Class.forName(absent)).as(absent).isInstanceOf(ClassNotFoundException.class);
    }
  }

  @Test
  void whatTheHttpJsonClientNeedsIsThere() throws Exception {
    assertThat(Class.forName("com.google.api.gax.httpjson.InstantiatingHttpJsonChannelProvider")).isNotNull();
    assertThat(Class.forName("io.grpc.Context")).isNotNull(); // grpc-context, kept
    assertThat(Class.forName("io.grpc.Status")).isNotNull(); // grpc-api, kept (gax refers to it)
  }
}
