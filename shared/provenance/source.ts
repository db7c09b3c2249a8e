/**
 * The report's `provenance.source`: where the image's source lives, at which revision, and
 * when it was built, from the OCI pre-defined annotation keys (on the manifest, else as
 * config labels), completed by what SLSA provenance says.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
 * @module
 */
import type { Provenance } from '../report/model.js'

export const SOURCE_KEY = 'org.opencontainers.image.source'
export const REVISION_KEY = 'org.opencontainers.image.revision'
export const CREATED_KEY = 'org.opencontainers.image.created'

/**
 * Each field from the manifest annotations, else the config labels, else the first
 * provenance attestation that has it.
 *
 * @example declaredSource({}, { 'org.opencontainers.image.source': 'https://github.com/o/r' }) // { repository: 'https://github.com/o/r' }
 */
export function declaredSource(
  annotations: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
  attestations: Provenance['attestations'] = []
): Provenance['source'] {
  const pick = (key: string): string | undefined => annotations?.[key]?.trim() || labels?.[key]?.trim() || undefined
  const source: Provenance['source'] = {}
  const repository = pick(SOURCE_KEY) ?? attestations.find((a) => a.sourceRepository)?.sourceRepository
  const revision = pick(REVISION_KEY) ?? attestations.find((a) => a.sourceRevision)?.sourceRevision
  const created = pick(CREATED_KEY)
  if (repository) source.repository = repository
  if (revision) source.revision = revision
  if (created) source.created = created
  return source
}
