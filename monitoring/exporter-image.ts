// The mongodb_exporter image: Percona's, pinned to the one version whose flags and metric names
// this project was written against (its flags changed between versions: --mongodb.dsn became
// --mongodb.uri, collectors became --collector.* flags). A mirror registry may serve it.

/** The pinned release (github.com/percona/mongodb_exporter, tag v0.53.0). */
export const EXPORTER_VERSION = "0.53.0";
/**
 * Its image on Docker Hub (.goreleaser.yml of v0.53.0: docker.io/percona/mongodb_exporter:{{.Version}}).
 * Written out whole so that Renovate's regex manager (renovate.json) finds it. Pinned by tag only:
 * its digest could not be read from the registry where this was written, and no primary source
 * reachable there states it (the v0.53.0 release notes list commits only; .goreleaser.yml builds
 * the -amd64 and -arm64v8 images and the {{.Version}} manifest list at release time, so the digest
 * exists only in the registry). Renovate's first run pins it (pinDigests), and
 * test/security/images-and-compressors.test.ts lists it as the one exception.
 */
export const DEFAULT_EXPORTER_IMAGE = "percona/mongodb_exporter:0.53.0";

const IMAGE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)*(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)?mongodb_exporter:(?<tag>[A-Za-z0-9_.-]+)(?:@sha256:[0-9a-f]{64})?$/;

/** Rule text when the image is not mongodb_exporter pinned to EXPORTER_VERSION, else undefined. */
export function exporterImageRule(image: string): string | undefined {
  const m = IMAGE.exec(image);
  if (!m) return `must be a mongodb_exporter image such as ${JSON.stringify(DEFAULT_EXPORTER_IMAGE)}, got ${JSON.stringify(image)}`;
  if (m.groups!.tag !== EXPORTER_VERSION)
    return `must be tagged ${EXPORTER_VERSION}, the version whose flags and metrics the sidecar and the rules use (docs/observability.md), got ${JSON.stringify(m.groups!.tag)}`;
  return undefined;
}
