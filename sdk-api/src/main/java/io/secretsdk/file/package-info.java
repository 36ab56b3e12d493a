/**
 * Secrets as files: Kubernetes secret volumes, Docker secrets, the CSI driver, Vault Agent.
 */
@NullMarked
package io.secretsdk.file;

import org.jspecify.annotations.NullMarked;
