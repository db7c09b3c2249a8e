import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseGitHubWebhook, verifyGitHubSignature } from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture, fixtureBytes } from './fixtures.js'

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958'
const INDEX = 'sha256:cf26703c10644342ef605a2e9edaad3f10299b80d6012b1d008265c18035e3ee'
const VERSION = 'sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498'

describe('parseGitHubWebhook', () => {
  it.each([
    ['package', 'github/package-published-container.json', { repository: 'octo-org/hello-app', reference: INDEX, digest: INDEX, tag: '1.2.0' }],
    ['registry_package', 'github/registry-package-published-docker.json', { repository: 'codertocat/hello-world-npm', reference: VERSION, digest: VERSION }],
  ])('turns a %s event (%s) into a ghcr.io request', (event, path, expected) => {
    // Act
    const outcome = parseGitHubWebhook(fixture(path), event, DELIVERY, CTX)
    // Assess
    expect(outcome).toEqual({
      kind: 'scan',
      requests: [{ v: 1, registry: 'ghcr.io', source: 'github', receivedAt: CTX.receivedAt, requestId: DELIVERY, ...expected }],
    })
  })

  it.each([
    // package_type, ecosystem
    ['docker', 'unknown'],
    ['container', 'unknown'],
    ['Docker', null],
    ['npm', 'Docker'],
    [null, 'container'],
  ])('recognises a container by package_type %s / ecosystem %s', (packageType, ecosystem) => {
    // Prepare
    const base = changed(fixture('github/package-published-container.json'), ['package', 'ecosystem'], ecosystem)
    const body = changed(base, ['package', 'package_type'], packageType)
    // Act
    const outcome = parseGitHubWebhook(body, 'package', DELIVERY, CTX)
    // Assess
    expect(outcome.kind).toBe('scan')
  })

  it('reads the package from registry_package whatever the event header says', () => {
    // Act
    const outcome = parseGitHubWebhook(fixture('github/registry-package-published-docker.json'), 'package', DELIVERY, CTX)
    // Assess
    expect(outcome.kind === 'scan' && outcome.requests[0]?.repository).toBe('codertocat/hello-world-npm')
  })

  it('takes the owner from namespace when there is no owner object', () => {
    // Prepare
    const body = changed(fixture('github/package-published-container.json'), ['package', 'owner'], DELETE)
    // Act
    const outcome = parseGitHubWebhook(body, 'package', DELIVERY, CTX)
    // Assess
    expect(outcome.kind === 'scan' && outcome.requests[0]?.repository).toBe('octo-org/hello-app')
  })

  it('falls back to the version, then the name, for the digest', () => {
    // Prepare
    const noManifest = changed(fixture('github/package-published-container.json'), ['package', 'package_version', 'container_metadata', 'manifest'], DELETE)
    const onlyName = changed(changed(noManifest, ['package', 'package_version', 'version'], '1.2.0'), ['package', 'package_version', 'name'], VERSION)
    // Act
    const fromVersion = parseGitHubWebhook(noManifest, 'package', DELIVERY, CTX)
    const fromName = parseGitHubWebhook(onlyName, 'package', DELIVERY, CTX)
    // Assess
    expect(fromVersion.kind === 'scan' && fromVersion.requests[0]?.digest).toBe(INDEX)
    expect(fromName.kind === 'scan' && fromName.requests[0]?.digest).toBe(VERSION)
  })

  it('scans by tag when no field holds a digest', () => {
    // Prepare
    let body = changed(fixture('github/package-published-container.json'), ['package', 'package_version', 'container_metadata', 'manifest'], null)
    body = changed(changed(body, ['package', 'package_version', 'version'], '1.2.0'), ['package', 'package_version', 'name'], '1.2.0')
    // Act
    const outcome = parseGitHubWebhook(body, 'package', undefined, CTX)
    // Assess
    expect(outcome).toEqual({
      kind: 'scan',
      requests: [expect.objectContaining({ reference: '1.2.0', tag: '1.2.0', requestId: CTX.requestId })],
    })
    expect(outcome.kind === 'scan' && outcome.requests[0]).not.toHaveProperty('digest')
  })

  it.each([
    ['ping', 'github/ping.json', 'GitHub ping'],
    ['push', 'github/ping.json', 'GitHub event "push" is not a package event'],
    ['package', 'github/package-published-npm.json', 'GitHub package is not a container'],
  ])('ignores a %s delivery (%s)', (event, path, reason) => {
    expect(parseGitHubWebhook(fixture(path), event, DELIVERY, CTX)).toEqual({ kind: 'ignored', reason })
  })

  it('ignores actions other than published and updated', () => {
    // Prepare
    const body = changed(fixture('github/package-published-container.json'), ['action'], 'deleted')
    // Act
    const outcome = parseGitHubWebhook(body, 'package', DELIVERY, CTX)
    // Assess
    expect(outcome).toEqual({ kind: 'ignored', reason: 'GitHub package action "deleted" is not a publication' })
  })

  const published = fixture('github/package-published-container.json')
  const version = ['package', 'package_version']
  it.each([
    ['not an object', [], 'the body must be a JSON object'],
    ['no action', changed(published, ['action'], DELETE), 'action must be a string'],
    ['no package', changed(published, ['package'], DELETE), 'package must be an object'],
    ['a package that is not an object', changed(published, ['package'], 'hello'), 'package must be an object'],
    ['no package name', changed(published, ['package', 'name'], DELETE), 'package.name must be a string'],
    ['no owner at all', changed(changed(published, ['package', 'owner'], DELETE), ['package', 'namespace'], DELETE), 'package.owner.login must be a string'],
    ['no package_version', changed(published, [...version], DELETE), 'package.package_version must be an object'],
    ['a tag that is not an object', changed(published, [...version, 'container_metadata', 'tag'], 'latest'), 'package.package_version.container_metadata.tag must be an object'],
    [
      'only malformed digests',
      changed(changed(changed(published, [...version, 'container_metadata', 'manifest', 'digest'], 'sha256:cf26'), [...version, 'version'], 'sha256:zz'), [...version, 'name'], 'x'),
      'package.package_version.container_metadata.manifest.digest "sha256:cf26" is not a valid digest',
    ],
    [
      'neither digest nor tag',
      changed(changed(changed(published, [...version, 'container_metadata'], DELETE), [...version, 'version'], '1'), [...version, 'name'], '1'),
      'neither a digest nor a tag',
    ],
    ['a package name the registry refuses', changed(published, ['package', 'name'], 'hello app'), 'is not valid'],
  ])('refuses %s', (_, body, message) => {
    expectWebhookError(() => parseGitHubWebhook(body, 'package', DELIVERY, CTX), message)
  })
})

describe('verifyGitHubSignature', () => {
  const SECRET = "It's a Secret to Everybody"
  const PAYLOAD = new TextEncoder().encode('Hello, World!')
  const VECTOR = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'

  it("accepts GitHub's documented test vector", () => {
    expect(verifyGitHubSignature(SECRET, PAYLOAD, VECTOR)).toBe(true)
  })

  it('accepts a signature over the raw bytes of a fixture', () => {
    // Prepare
    const raw = fixtureBytes('github/package-published-container.json')
    const header = `sha256=${createHmac('sha256', 'webhook-secret').update(raw).digest('hex')}`
    // Act
    const valid = verifyGitHubSignature('webhook-secret', raw, header)
    // Assess
    expect(valid).toBe(true)
  })

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['another algorithm', VECTOR.replace('sha256=', 'sha1=')],
    ['no prefix', VECTOR.slice('sha256='.length)],
    ['a short hex', VECTOR.slice(0, -2)],
    ['a non-hex character', `${VECTOR.slice(0, -1)}g`],
    ['one changed digit', `${VECTOR.slice(0, -1)}f`],
    ['extra text', `${VECTOR},sha256=00`],
  ])('refuses %s', (_, header) => {
    expect(verifyGitHubSignature(SECRET, PAYLOAD, header)).toBe(false)
  })

  it('refuses a different body or secret, and an empty secret', () => {
    expect(verifyGitHubSignature(SECRET, new TextEncoder().encode('Hello, World?'), VECTOR)).toBe(false)
    expect(verifyGitHubSignature('another secret', PAYLOAD, VECTOR)).toBe(false)
    const emptyKeyed = `sha256=${createHmac('sha256', '').update(PAYLOAD).digest('hex')}`
    expect(verifyGitHubSignature('', PAYLOAD, emptyKeyed)).toBe(false)
  })
})
