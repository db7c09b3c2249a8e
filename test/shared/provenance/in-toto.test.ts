import { describe, expect, it } from 'vitest'
import {
  normaliseSourceUri,
  parseInTotoStatement,
  predicateKind,
  sbomFormatOfPredicate,
  statementNamesDigest,
  summariseProvenance,
} from '../../../shared/provenance/in-toto.js'
import { ProvenanceErrorCode } from '../../../shared/provenance/provenance-error.js'
import { bytesOf } from './fixtures.js'

const IMAGE_HEX = 'a'.repeat(64)
const COMMIT = '4b220de5058abfd01ff619c9d2ff6b09a049bea0'

function statement(predicateType: string, predicate: unknown, type = 'https://in-toto.io/Statement/v0.1'): Uint8Array {
  return bytesOf({
    _type: type,
    predicateType,
    subject: [{ name: 'pkg:docker/ghcr.io/acme/app@1.0?platform=linux%2Famd64', digest: { sha256: IMAGE_HEX } }],
    predicate,
  })
}

/** BuildKit's SLSA v0.2 provenance for a build from a Git context (docs/attestations/slsa-definitions.md). */
const buildkitRemoteContext = {
  builder: { id: 'https://github.com/docker/buildx/actions/runs/3709599520' },
  buildType: 'https://mobyproject.org/buildkit@v1',
  materials: [
    { uri: 'pkg:docker/alpine@3.17?platform=linux%2Famd64', digest: { sha256: '8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4' } },
    { uri: 'https://github.com/moby/buildkit.git#refs/tags/v0.11.0', digest: { sha1: COMMIT } },
  ],
  invocation: {
    configSource: { uri: 'https://github.com/moby/buildkit.git#refs/tags/v0.11.0', digest: { sha1: COMMIT }, entryPoint: 'Dockerfile' },
    parameters: { frontend: 'dockerfile.v0', args: {}, locals: [] },
    environment: { platform: 'linux/amd64' },
  },
  metadata: {
    buildInvocationID: 'rpv7a389uzil5lqmrgwhijwjz',
    buildStartedOn: '2021-11-17T15:00:00Z',
    buildFinishedOn: '2021-11-17T15:01:00Z',
    completeness: { parameters: true, environment: true, materials: true },
    reproducible: false,
    'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: 'https://github.com/moby/buildkit.git', revision: COMMIT } },
  },
}

/** BuildKit's SLSA v0.2 provenance for a local context: only buildx's vcs hints name the source. */
const buildkitLocalContext = {
  builder: { id: '' },
  buildType: 'https://mobyproject.org/buildkit@v1',
  materials: [{ uri: 'pkg:docker/debian@bookworm-slim?platform=linux%2Famd64', digest: { sha256: 'c'.repeat(64) } }],
  invocation: {
    configSource: { entryPoint: 'Dockerfile' },
    parameters: { frontend: 'dockerfile.v0', locals: [{ name: 'context' }, { name: 'dockerfile' }] },
    environment: { platform: 'linux/amd64' },
  },
  metadata: {
    'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: 'https://github.com/acme/app.git', revision: 'd'.repeat(40) } },
  },
}

/** GitHub's actions/attest-build-provenance predicate (buildType workflow/v1). */
const githubActions = {
  buildDefinition: {
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/app', path: '.github/workflows/release.yml' } },
    internalParameters: { github: { event_name: 'push', repository_id: '123456', repository_owner_id: '654321', runner_environment: 'github-hosted' } },
    resolvedDependencies: [{ uri: 'git+https://github.com/acme/app@refs/heads/main', digest: { gitCommit: 'e'.repeat(40) } }],
  },
  runDetails: {
    builder: { id: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main' },
    metadata: { invocationId: 'https://github.com/acme/app/actions/runs/1/attempts/1' },
  },
}

/** BuildKit's SLSA v1 provenance (`--attest type=provenance,version=v1`). */
const buildkitV1 = {
  buildDefinition: {
    buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
    externalParameters: { configSource: { path: 'Dockerfile' }, request: { frontend: 'dockerfile.v0', args: {} } },
    resolvedDependencies: [{ uri: 'pkg:docker/alpine@3.20?platform=linux%2Famd64', digest: { sha256: 'f'.repeat(64) } }],
  },
  runDetails: {
    builder: { id: 'https://github.com/acme/app/actions/runs/42' },
    metadata: { invocationID: 'x', buildkit_metadata: { vcs: { source: 'git@github.com:acme/app.git', revision: '1'.repeat(40) } } },
  },
}

/** slsa-github-generator's v0.2 provenance: configSource is git+URL@ref with the commit. */
const slsaGithubGenerator = {
  builder: { id: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.9.0' },
  buildType: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
  invocation: {
    configSource: { uri: 'git+https://github.com/acme/app@refs/tags/v1.2.3', digest: { sha1: '2'.repeat(40) }, entryPoint: '.github/workflows/release.yml' },
  },
  materials: [{ uri: 'git+https://github.com/acme/app@refs/tags/v1.2.3', digest: { sha1: '2'.repeat(40) } }],
}

describe('parseInTotoStatement', () => {
  it.each(['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'])('parses a %s statement', (type) => {
    // Act
    const parsed = parseInTotoStatement(
      bytesOf({ _type: type, subject: [{ name: 'app', digest: { sha256: IMAGE_HEX.toUpperCase() } }], predicateType: 'https://example.com/p', predicate: { a: 1 } })
    )
    // Assess
    expect(parsed).toEqual({ type, subjects: [{ name: 'app', digest: { sha256: IMAGE_HEX } }], predicateType: 'https://example.com/p', predicate: { a: 1 } })
    expect(statementNamesDigest(parsed, `sha256:${IMAGE_HEX}`)).toBe(true)
    expect(statementNamesDigest(parsed, `sha256:${'b'.repeat(64)}`)).toBe(false)
  })

  it.each([
    ['not JSON', 'x'],
    ['another _type', { _type: 'https://example.com/x', subject: [], predicateType: 'p' }],
    ['no subject', { _type: 'https://in-toto.io/Statement/v1', predicateType: 'p' }],
    ['a subject without digest', { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x' }], predicateType: 'p' }],
    ['no predicateType', { _type: 'https://in-toto.io/Statement/v1', subject: [] }],
  ])('refuses %s', (_name, json) => {
    expect(() => parseInTotoStatement(bytesOf(json))).toThrow(expect.objectContaining({ code: ProvenanceErrorCode.AttestationInvalid }))
  })
})

describe('summariseProvenance', () => {
  it.each([
    [
      'BuildKit v0.2, Git context',
      statement('https://slsa.dev/provenance/v0.2', buildkitRemoteContext),
      { builder: 'https://github.com/docker/buildx/actions/runs/3709599520', sourceRepository: 'https://github.com/moby/buildkit', sourceRevision: COMMIT },
    ],
    [
      'BuildKit v0.2, local context with vcs hints',
      statement('https://slsa.dev/provenance/v0.2', buildkitLocalContext),
      { sourceRepository: 'https://github.com/acme/app', sourceRevision: 'd'.repeat(40) },
    ],
    [
      'GitHub Actions v1',
      statement('https://slsa.dev/provenance/v1', githubActions, 'https://in-toto.io/Statement/v1'),
      { builder: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', sourceRepository: 'https://github.com/acme/app', sourceRevision: 'e'.repeat(40) },
    ],
    [
      'BuildKit v1, local context with vcs hints',
      statement('https://slsa.dev/provenance/v1', buildkitV1, 'https://in-toto.io/Statement/v1'),
      { builder: 'https://github.com/acme/app/actions/runs/42', sourceRepository: 'git@github.com:acme/app', sourceRevision: '1'.repeat(40) },
    ],
    [
      'slsa-github-generator v0.2',
      statement('https://slsa.dev/provenance/v0.2', slsaGithubGenerator),
      { builder: slsaGithubGenerator.builder.id, sourceRepository: 'https://github.com/acme/app', sourceRevision: '2'.repeat(40) },
    ],
    ['an empty predicate', statement('https://slsa.dev/provenance/v0.2', {}), {}],
    ['a predicate of the wrong shape', statement('https://slsa.dev/provenance/v1', { buildDefinition: 'x', runDetails: [1] }), {}],
  ])('reads %s', (_name, bytes, expected) => {
    // Prepare
    const parsed = parseInTotoStatement(bytes)
    // Act
    const summary = summariseProvenance(parsed)
    // Assess
    expect(summary).toEqual({ predicateType: parsed.predicateType, ...expected })
  })

  it('takes the revision from the materials when the config source has no digest', () => {
    const predicate = { ...slsaGithubGenerator, invocation: { configSource: { uri: 'git+https://github.com/acme/app@refs/heads/main' } } }
    expect(summariseProvenance(parseInTotoStatement(statement('https://slsa.dev/provenance/v0.2', predicate)))).toMatchObject({
      sourceRepository: 'https://github.com/acme/app',
      sourceRevision: '2'.repeat(40),
    })
  })

  it('does not pair a vcs revision with another repository', () => {
    const predicate = { ...buildkitLocalContext, invocation: { configSource: { uri: 'https://github.com/other/repo.git#main' } } }
    expect(summariseProvenance(parseInTotoStatement(statement('https://slsa.dev/provenance/v0.2', predicate)))).toEqual({
      predicateType: 'https://slsa.dev/provenance/v0.2',
      sourceRepository: 'https://github.com/other/repo',
    })
  })
})

describe('normaliseSourceUri', () => {
  it.each([
    ['git+https://github.com/o/r@refs/heads/main', 'https://github.com/o/r'],
    ['https://github.com/moby/buildkit.git#refs/tags/v0.11.0', 'https://github.com/moby/buildkit'],
    ['https://x-access-token:secret@github.com/o/r.git', 'https://github.com/o/r'],
    ['https://github.com/o/r/', 'https://github.com/o/r'],
    ['git@github.com:o/r.git', 'git@github.com:o/r'],
    ['  ', undefined],
    [undefined, undefined],
  ])('%s → %s', (uri, expected) => {
    expect(normaliseSourceUri(uri)).toBe(expected)
  })
})

describe('predicate kinds', () => {
  it.each([
    ['https://slsa.dev/provenance/v0.2', 'provenance', undefined],
    ['https://slsa.dev/provenance/v1', 'provenance', undefined],
    ['https://spdx.dev/Document', 'sbom', 'spdx'],
    ['https://spdx.dev/Document/v2.3', 'sbom', 'spdx'],
    ['https://cyclonedx.org/bom', 'sbom', 'cyclonedx'],
    ['https://cyclonedx.org/bom/v1.5', 'sbom', 'cyclonedx'],
    ['https://cosign.sigstore.dev/attestation/vuln/v1', 'other', undefined],
    ['https://spdx.dev/Documentation', 'other', undefined],
  ])('%s is %s', (predicateType, kind, format) => {
    expect(predicateKind(predicateType)).toBe(kind)
    expect(sbomFormatOfPredicate(predicateType)).toBe(format)
  })
})
