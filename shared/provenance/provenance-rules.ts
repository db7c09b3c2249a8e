/**
 * The `provenance` rules, and the findings they give for what the provenance checks found.
 *
 * @module
 */
import { defineRule, findingOf, type Rule } from '../analyzers/rule.js'
import type { Finding } from '../report/model.js'
import { isInvalidOutcome, SignatureOutcome } from './signature-outcome.js'

export const provenanceUnsigned = defineRule({
  id: 'provenance-unsigned',
  category: 'provenance',
  severity: 'low',
  title: 'The image has no signature',
  description:
    'No cosign or Notary Project signature was found for the image digest, by cosign tag, OCI referrers or the referrers tag. Without a signature nothing ties the image to whoever was meant to publish it: a registry or CI compromise, or a pushed-over tag, goes unnoticed.',
  remediation: 'Sign images in the pipeline that builds them (`cosign sign --key …` or keyless in CI, or `notation sign`) and configure the public key in pushscan.',
})

export const provenanceSignatureInvalid = defineRule({
  id: 'provenance-signature-invalid',
  category: 'provenance',
  severity: 'critical',
  title: 'A signature of the image is invalid or signs another image',
  description:
    'A signature attached to the image is malformed or does not verify against its own certificate, or it verifies but its payload names another image digest or another repository. Either the signature or the image was altered, or a signature of another image was copied next to this one to make it look signed.',
  remediation:
    'Do not run the image. Find out who pushed it and the signature (registry audit log), compare the digest with the one your pipeline signed, and re-sign only an image you rebuilt from a trusted source.',
})

export const provenanceSignatureUnknownKey = defineRule({
  id: 'provenance-signature-unknown-key',
  category: 'provenance',
  severity: 'medium',
  title: 'The image is signed, but not by a trusted key',
  description:
    'Trusted keys are configured and the image has signatures, but none verifies with a trusted key: they were made with another key or by a keyless identity, or the signed payload or signature was altered (which, without the signer key, cannot be told apart).',
  remediation:
    'Check who signed it (the signer in the report), add that key to the trusted keys if it is legitimate, or sign the image with a trusted key; treat the image as unsigned until then.',
})

export const provenanceBaseMismatch = defineRule({
  id: 'provenance-base-mismatch',
  category: 'provenance',
  severity: 'high',
  title: 'The image does not start with the layers of the base image it declares',
  description:
    'The image declares its base (org.opencontainers.image.base.name/digest, as an annotation or a label) but the base image layers are not the first layers of this image. The declaration is stale or false, or the base layers were modified after the build: the image is not what it says it was built from.',
  remediation:
    'Rebuild the image from the declared base with a standard builder, and make the pipeline set the base annotations from the digest actually used (`docker buildx` records it in the provenance attestation).',
})

export const provenanceTagMovedBaseChanged = defineRule({
  id: 'provenance-tag-moved-base-changed',
  category: 'provenance',
  severity: 'medium',
  title: 'The tag moved to an image with a different base',
  description:
    'The tag now points at a new digest whose base image layers differ from those of the digest it pointed at before. A base update is often wanted (security fixes), but it changes every package below the application, and a compromised or replaced base reaches every image rebuilt on it.',
  remediation: 'Check the new base against the release notes of the base image, pin bases by digest in Dockerfiles, and let base updates go through review (e.g. Renovate or Dependabot pull requests).',
})

/** Every provenance rule, for the rule list and the README. */
export const provenanceRules: readonly Rule[] = [
  provenanceUnsigned,
  provenanceSignatureInvalid,
  provenanceSignatureUnknownKey,
  provenanceBaseMismatch,
  provenanceTagMovedBaseChanged,
]

/** One checked signature, as the findings need it. */
export interface CheckedSignature {
  /** The digest of the signature manifest. */
  artifact: string
  outcome: SignatureOutcome
  signer?: string
  error?: string
}

/**
 * Findings for the signatures of one image:
 * - none at all: `provenance-unsigned`;
 * - each one proven invalid (bad signature or payload, another digest or repository):
 *   `provenance-signature-invalid`;
 * - trusted keys configured and none verifies any signature:
 *   - a key-based signature that no trusted key verifies fails verification (it was
 *     tampered with, or made with another key: cosign signatures name no key, so the two
 *     cannot be told apart): `provenance-signature-invalid`;
 *   - signatures that name their signer (keyless, notation) but are not trusted: one
 *     `provenance-signature-unknown-key`.
 *   A second signer beside a trusted one is normal and gives nothing.
 */
export function signatureFindings(signatures: readonly CheckedSignature[], trustedKeysConfigured: boolean): Finding[] {
  if (signatures.length === 0) return [findingOf(provenanceUnsigned, {})]
  const findings: Finding[] = []
  const evidence = (s: CheckedSignature): string => `${s.artifact}: ${s.outcome}${s.error ? ` (${s.error})` : ''}`
  for (const signature of signatures) {
    if (isInvalidOutcome(signature.outcome)) findings.push(findingOf(provenanceSignatureInvalid, {}, evidence(signature)))
  }
  const verified = signatures.some((s) => s.outcome === SignatureOutcome.Ok)
  if (trustedKeysConfigured && !verified) {
    const failed = signatures.filter((s) => s.outcome === SignatureOutcome.UnknownKey)
    for (const signature of failed) findings.push(findingOf(provenanceSignatureInvalid, {}, evidence(signature)))
    const untrusted = signatures.filter((s) => s.outcome === SignatureOutcome.Keyless)
    if (failed.length === 0 && untrusted.length > 0) {
      const signers = [...new Set(untrusted.map((s) => s.signer ?? 'unknown signer'))].sort()
      findings.push(findingOf(provenanceSignatureUnknownKey, {}, `${untrusted.length} signature(s) by ${signers.join(', ')}`))
    }
  }
  return findings
}

/**
 * The finding for a declared base that the layers refute (`confirmed: false`); nothing when
 * the base is confirmed or could not be fetched (`null`).
 *
 * @param firstDifferentLayer the image's first layer (diffId) that is not the base's
 */
export function baseImageFindings(base: { name: string; confirmed: boolean | null; sharedLayers?: number; baseLayers?: number }, firstDifferentLayer?: string): Finding[] {
  if (base.confirmed !== false) return []
  const counts = base.sharedLayers !== undefined && base.baseLayers !== undefined ? `: ${base.sharedLayers} of its ${base.baseLayers} layers are the image's first` : ''
  return [findingOf(provenanceBaseMismatch, firstDifferentLayer ? { layer: firstDifferentLayer } : {}, `declared base ${base.name}${counts}`)]
}

/** The finding for a tag that moved to an image whose base changed. */
export function tagMovementFindings(movement: { tag: string; previousDigest: string; baseChanged: boolean }): Finding[] {
  if (!movement.baseChanged) return []
  return [findingOf(provenanceTagMovedBaseChanged, {}, `tag ${movement.tag} previously pointed at ${movement.previousDigest}`)]
}
