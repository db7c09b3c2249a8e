import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../shared/errors.js'
import {
  CHILD_MANIFEST_DELAY_SECONDS,
  DISTRIBUTION_EVENTS_MEDIA_TYPES,
  parseDistributionWebhook,
  type WebhookOutcome,
} from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture } from './fixtures.js'

const INDEX = 'sha256:bb1a4f12a9a9876462d617b7a201ae27cf296597d2d175f3f75962c0f2082bfb'
const AMD64 = 'sha256:b0fb5f0423a46aefaf6352360ddf29697b95d0592daad03ab8dbd86e32f2d1bf'
const ARM64 = 'sha256:011884f3c03fb735433e19538adf73bacb50c891dc33290359b22f4670b136b2'

function requestsOf(outcome: WebhookOutcome): { registry: string; repository: string; digest?: string; tag?: string; requestId: string }[] {
  if (outcome.kind !== 'scan') throw new Error(`expected a scan outcome, got ignored: ${outcome.reason}`)
  return outcome.requests.map(({ registry, repository, digest, tag, requestId }) => ({
    registry,
    repository,
    ...(digest ? { digest } : {}),
    ...(tag ? { tag } : {}),
    requestId,
  }))
}

describe('parseDistributionWebhook', () => {
  it.each([
    [
      'distribution/docs-example.json',
      {
        registry: 'registrycluster.local',
        repository: 'library/test',
        digest: 'sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf',
        tag: 'latest',
        requestId: 'asdf-asdf-asdf-asdf-0',
      },
    ],
    [
      'distribution/push-oci-manifest-debian.json',
      {
        registry: '127.0.0.1:5000',
        repository: 'scanner-fixtures/debian-test',
        digest: 'sha256:7ba1bffe44b783692acf766871292fc7f2be83f5679d7d81c408d546cdf1789d',
        tag: 'latest',
        requestId: 'f8da15ab-923c-48f4-bf17-53cb03c4adf6',
      },
    ],
    [
      'distribution/push-docker-manifest.json',
      {
        registry: '127.0.0.1:5000',
        repository: 'pushscan/single',
        digest: 'sha256:eacc4eba3f8ab27579918fc302634e7a95a23551d070df4a73cbfb9ccc9c1518',
        tag: 'latest',
        requestId: '1ee7d555-25e1-4c7f-ab5f-1927a367b955',
      },
    ],
    [
      'distribution/push-without-media-type.json',
      {
        registry: 'registry.example.com',
        repository: 'team/legacy',
        digest: 'sha256:e89b3f103793c4e9798d8b6bc0423f5e0ce78a99b772ce7385e4b3b79846e687',
        tag: 'nightly',
        requestId: 'e4b7c1d0-0004-4f2a-8b3c-000000000001',
      },
    ],
  ])('turns the tagged push in %s into one request, not delayed', (path, expected) => {
    // Prepare
    const body = fixture(path)
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome)).toEqual([expected])
    expect(outcome).not.toHaveProperty('delaySeconds')
    expect(outcome.kind === 'scan' && outcome.requests[0]).toMatchObject({ source: 'distribution', receivedAt: CTX.receivedAt, reference: expected.digest })
  })

  it('uses the configured registry instead of request.host', () => {
    // Act
    const outcome = parseDistributionWebhook(fixture('distribution/push-docker-manifest.json'), CTX, { registry: 'Registry.Example.com:443' })
    // Assess
    expect(requestsOf(outcome)[0]?.registry).toBe('registry.example.com:443')
  })

  describe('a real multi-arch push, one delivery per event', () => {
    it.each([
      ['multiarch/1-blob.json', { kind: 'ignored', reason: 'no manifest push events (1 blob push)' }],
      ['multiarch/4-blob.json', { kind: 'ignored', reason: 'no manifest push events (1 blob push)' }],
      [
        'multiarch/5-child-amd64.json',
        {
          kind: 'scan',
          delaySeconds: CHILD_MANIFEST_DELAY_SECONDS,
          requests: [expect.objectContaining({ repository: 'pushscan/multiarch', digest: AMD64, reference: AMD64, requestId: 'af3b8061-fb77-4423-84b9-3056a9038007' })],
        },
      ],
      [
        'multiarch/6-child-arm64.json',
        { kind: 'scan', delaySeconds: CHILD_MANIFEST_DELAY_SECONDS, requests: [expect.objectContaining({ digest: ARM64 })] },
      ],
      [
        'multiarch/7-index.json',
        { kind: 'scan', requests: [expect.objectContaining({ registry: '127.0.0.1:5000', repository: 'pushscan/multiarch', digest: INDEX, tag: '1.0' })] },
      ],
    ])('%s', (path, expected) => {
      // Act
      const outcome = parseDistributionWebhook(fixture(`distribution/${path}`), CTX)
      // Assess
      expect(outcome).toEqual(expected)
    })

    it('leaves the child requests without a tag', () => {
      // Act
      const outcome = parseDistributionWebhook(fixture('distribution/multiarch/5-child-amd64.json'), CTX)
      // Assess
      expect(outcome.kind === 'scan' && outcome.requests[0]).not.toHaveProperty('tag')
    })
  })

  it('drops the children of an index pushed in the same envelope, and scans the index at once', () => {
    // Act
    const outcome = parseDistributionWebhook(fixture('distribution/envelope-index-with-children.json'), CTX)
    // Assess
    expect(requestsOf(outcome)).toEqual([
      {
        registry: 'registry.example.com',
        repository: 'team/app',
        digest: 'sha256:60bbac82b06ac99471aee3c450fa2babccfe9d6fbfedad1f4b3a48d6236297c8',
        tag: '2.0.1',
        requestId: '7c1e0d3a-0001-4b5c-9d8e-000000000003',
      },
    ])
    expect(outcome).not.toHaveProperty('delaySeconds')
  })

  it('keeps children of an index in another repository', () => {
    // Prepare
    const body = changed(fixture('distribution/envelope-index-with-children.json'), ['events', 0, 'target', 'repository'], 'team/other')
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome).map((request) => request.repository)).toEqual(['team/other', 'team/app'])
    expect(outcome).toMatchObject({ delaySeconds: CHILD_MANIFEST_DELAY_SECONDS })
  })

  it('delays a whole envelope that mixes a tagged push and a tagless manifest', () => {
    // Act
    const outcome = parseDistributionWebhook(fixture('distribution/envelope-mixed.json'), CTX)
    // Assess
    expect(outcome).toMatchObject({ kind: 'scan', delaySeconds: CHILD_MANIFEST_DELAY_SECONDS })
    expect(requestsOf(outcome).map((request) => `${request.repository}:${request.tag ?? '-'}`)).toEqual(['team/worker:v7', 'team/cli:-'])
  })

  it('does not delay a tagless index', () => {
    // Prepare
    const body = changed(fixture('distribution/multiarch/7-index.json'), ['events', 0, 'target', 'tag'], DELETE)
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome)).toEqual([expect.objectContaining({ digest: INDEX })])
    expect(outcome).not.toHaveProperty('delaySeconds')
  })

  it('reads a Docker manifest list as an index', () => {
    // Prepare
    const body = changed(fixture('distribution/multiarch/7-index.json'), ['events', 0, 'target', 'mediaType'], 'application/vnd.docker.distribution.manifest.list.v2+json')
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome)).toEqual([expect.objectContaining({ digest: INDEX, tag: '1.0' })])
  })

  it('sends identical pushes in one envelope once', () => {
    // Prepare
    const single = fixture('distribution/push-docker-manifest.json') as { events: unknown[] }
    const body = { events: [...single.events, ...single.events] }
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome)).toHaveLength(1)
  })

  it('falls back to the context id for an event without id', () => {
    // Prepare
    const body = changed(fixture('distribution/push-docker-manifest.json'), ['events', 0, 'id'], DELETE)
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(requestsOf(outcome)[0]?.requestId).toBe(`${CTX.requestId}#0`)
  })

  const push = fixture('distribution/push-docker-manifest.json')
  it.each([
    ['distribution/delete-digest.json', 'no manifest push events (1 delete)'],
    ['distribution/delete-tag.json', 'no manifest push events (1 delete)'],
    ['distribution/blob-push.json', 'no manifest push events (1 blob push)'],
    ['distribution/pull-and-mount.json', 'no manifest push events (2 pull, 1 mount)'],
  ])('ignores %s', (path, reason) => {
    // Act
    const outcome = parseDistributionWebhook(fixture(path), CTX)
    // Assess
    expect(outcome).toEqual({ kind: 'ignored', reason })
  })

  it.each([
    ['an empty envelope', { events: [] }, 'no manifest push events (empty envelope)'],
    [
      'a schema 1 push',
      changed(push, ['events', 0, 'target', 'mediaType'], 'application/vnd.docker.distribution.manifest.v1+prettyjws'),
      'no manifest push events (1 unsupported manifest push)',
    ],
    [
      'an untyped, untagged push of a blob',
      changed(changed(changed(push, ['events', 0, 'target', 'mediaType'], DELETE), ['events', 0, 'target', 'tag'], DELETE), ['events', 0, 'target', 'url'], 'http://127.0.0.1:5000/v2/pushscan/single/blobs/sha256:x'),
      'no manifest push events (1 unidentified push)',
    ],
    [
      'a delete pair plus a blob push',
      {
        events: [
          ...(fixture('distribution/delete-digest.json') as { events: unknown[] }).events,
          ...(fixture('distribution/delete-tag.json') as { events: unknown[] }).events,
          ...(fixture('distribution/blob-push.json') as { events: unknown[] }).events,
        ],
      },
      'no manifest push events (2 delete, 1 blob push)',
    ],
  ])('ignores %s', (_, body, reason) => {
    expect(parseDistributionWebhook(body, CTX)).toEqual({ kind: 'ignored', reason })
  })

  it('takes an untyped, untagged push whose url names a manifest as a delayed manifest', () => {
    // Prepare
    const body = changed(changed(push, ['events', 0, 'target', 'mediaType'], DELETE), ['events', 0, 'target', 'tag'], DELETE)
    // Act
    const outcome = parseDistributionWebhook(body, CTX)
    // Assess
    expect(outcome).toMatchObject({ kind: 'scan', delaySeconds: CHILD_MANIFEST_DELAY_SECONDS })
  })

  it.each([
    ['not an object', 'push', 'the body must be a JSON object'],
    ['no events', {}, 'events must be an array'],
    ['events as an object', { events: {} }, 'events must be an array'],
    ['an event that is not an object', { events: [1] }, 'events[0] must be an object'],
    ['an event without target', changed(push, ['events', 0, 'target'], DELETE), 'events[0].target must be an object'],
    ['a delete without target', changed(fixture('distribution/delete-tag.json'), ['events', 0, 'target'], DELETE), 'events[0].target must be an object'],
    ['an action that is not a string', changed(push, ['events', 0, 'action'], 1), 'events[0].action must be a string'],
    ['a media type that is not a string', changed(push, ['events', 0, 'target', 'mediaType'], 5), 'events[0].target.mediaType must be a string'],
    ['no repository', changed(push, ['events', 0, 'target', 'repository'], DELETE), 'events[0].target.repository must be a string'],
    ['no digest', changed(push, ['events', 0, 'target', 'digest'], DELETE), 'events[0].target.digest must be a string'],
    ['a short digest', changed(push, ['events', 0, 'target', 'digest'], 'sha256:abc'), '"sha256:abc" is not a digest'],
    ['an md5 digest', changed(push, ['events', 0, 'target', 'digest'], `md5:${'a'.repeat(32)}`), 'is not a digest'],
    ['an upper-case repository', changed(push, ['events', 0, 'target', 'repository'], 'PushScan/Single'), 'repository name must be lower case'],
    ['a bad tag', changed(push, ['events', 0, 'target', 'tag'], 'a/b'), 'is not valid'],
    ['a tag that is not a string', changed(push, ['events', 0, 'target', 'tag'], ['latest']), 'events[0].target.tag must be a string'],
    ['no request', changed(push, ['events', 0, 'request'], DELETE), 'events[0].request must be an object'],
    ['a URL as request.host', changed(push, ['events', 0, 'request', 'host'], 'http://registry:5000'), 'events[0].request.host "http://registry:5000" is not a host[:port]'],
    ['a one-part request.host', changed(push, ['events', 0, 'request', 'host'], 'registry'), '"registry" is not a registry host'],
    ['references that are not an array', changed(fixture('distribution/multiarch/7-index.json'), ['events', 0, 'target', 'references'], 'x'), 'events[0].target.references must be an array'],
    ['a reference that is not an object', changed(fixture('distribution/multiarch/7-index.json'), ['events', 0, 'target', 'references', 1], 7), 'events[0].target.references[1] must be an object'],
    [
      'one malformed event among good ones',
      { events: [...(push as { events: unknown[] }).events, { id: 'x', action: 'push' }] },
      'events[1].target must be an object',
    ],
  ])('refuses %s', (_, body, message) => {
    expectWebhookError(() => parseDistributionWebhook(body, CTX), message)
  })

  it('refuses a configured registry that is not host[:port] as a configuration error', () => {
    expect(() => parseDistributionWebhook(push, CTX, { registry: 'https://registry.example.com' })).toThrow(
      expect.objectContaining({ name: 'InputError', code: ErrorCode.ConfigInvalidValue }),
    )
  })

  it('lists the Content-Type a real 2.8 delivery carries among the accepted ones', () => {
    // Prepare
    const headers = fixture('distribution/delivery-headers.json') as Record<string, string>
    // Assess
    expect(DISTRIBUTION_EVENTS_MEDIA_TYPES).toContain(headers['content-type'])
  })
})
