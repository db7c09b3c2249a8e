import { describe, expect, it } from 'vitest'
import { parseHarborWebhook } from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture } from './fixtures.js'

describe('parseHarborWebhook', () => {
  it.each([
    [
      'harbor/push-artifact.json',
      [
        {
          registry: 'hub.harbor.com',
          repository: 'test-webhook/debian',
          reference: 'sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8',
          digest: 'sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8',
          tag: 'latest',
          requestId: CTX.requestId,
        },
      ],
    ],
    [
      'harbor/push-artifact-by-digest.json',
      [
        {
          registry: 'harbor.example.com:8443',
          repository: 'platform/team/api',
          reference: 'sha256:3df85d6acb3a313695cff6f1113a65dd6b2a9e6e004cdc7379d3451cf4b35efb',
          digest: 'sha256:3df85d6acb3a313695cff6f1113a65dd6b2a9e6e004cdc7379d3451cf4b35efb',
          requestId: CTX.requestId,
        },
      ],
    ],
    [
      'harbor/cloudevents-pushed.json',
      ['1.4.0', 'stable'].map((tag) => ({
        registry: 'harbor.internal.example.org',
        repository: 'library/nginx',
        reference: 'sha256:253e76a5bf016e59240b0c323e187dab666a4fba05a46617d9f8a6648a90ab0d',
        digest: 'sha256:253e76a5bf016e59240b0c323e187dab666a4fba05a46617d9f8a6648a90ab0d',
        tag,
        requestId: '6f0b8e0c-2c55-4c3b-9b7e-0a8f7d3e1c21',
      })),
    ],
  ])('turns %s into one request per resource', (path, expected) => {
    // Act
    const outcome = parseHarborWebhook(fixture(path), CTX)
    // Assess
    expect(outcome).toEqual({
      kind: 'scan',
      requests: expected.map((request) => ({ v: 1, source: 'harbor', receivedAt: CTX.receivedAt, ...request })),
    })
  })

  it.each([
    ['harbor/pull-artifact.json', 'Harbor event PULL_ARTIFACT is not an artifact push'],
    ['harbor/delete-artifact.json', 'Harbor event DELETE_ARTIFACT is not an artifact push'],
    ['harbor/scanning-completed.json', 'Harbor event SCANNING_COMPLETED is not an artifact push'],
    ['harbor/cloudevents-deleted.json', 'Harbor event harbor.artifact.deleted is not an artifact push'],
  ])('ignores %s', (path, reason) => {
    expect(parseHarborWebhook(fixture(path), CTX)).toEqual({ kind: 'ignored', reason })
  })

  it('ignores a push without resources', () => {
    // Prepare
    const body = changed(fixture('harbor/push-artifact.json'), ['event_data', 'resources'], [])
    // Act
    const outcome = parseHarborWebhook(body, CTX)
    // Assess
    expect(outcome).toEqual({ kind: 'ignored', reason: 'Harbor push event lists no resources' })
  })

  it('accepts the Harbor 1.x pushImage type', () => {
    // Prepare
    const body = changed(fixture('harbor/push-artifact.json'), ['type'], 'pushImage')
    // Act
    const outcome = parseHarborWebhook(body, CTX)
    // Assess
    expect(outcome.kind).toBe('scan')
  })

  it.each([
    ['namespace and name', ['event_data', 'repository', 'repo_full_name'], DELETE, 'test-webhook/debian'],
    ['the resource URL', ['event_data', 'repository'], DELETE, 'test-webhook/debian'],
  ])('finds the repository from %s', (_, path, value, repository) => {
    // Prepare
    const body = changed(fixture('harbor/push-artifact.json'), path, value)
    // Act
    const outcome = parseHarborWebhook(body, CTX)
    // Assess
    expect(outcome.kind === 'scan' && outcome.requests[0]?.repository).toBe(repository)
  })

  it('takes the CloudEvents requestid when there is no id', () => {
    // Prepare
    const body = changed(fixture('harbor/cloudevents-pushed.json'), ['id'], DELETE)
    // Act
    const outcome = parseHarborWebhook(body, CTX)
    // Assess
    expect(outcome.kind === 'scan' && outcome.requests[0]?.requestId).toBe('a7c1e0f4-5d26-4b8a-8f33-2e6b9d0c4f17')
  })

  const push = fixture('harbor/push-artifact.json')
  const cloud = fixture('harbor/cloudevents-pushed.json')
  it.each([
    ['not an object', 42, 'the body must be a JSON object'],
    ['no type', changed(push, ['type'], DELETE), 'type must be a string'],
    ['no event_data', changed(push, ['event_data'], DELETE), 'event_data must be an object'],
    ['CloudEvents without data', changed(cloud, ['data'], DELETE), 'data must be an object'],
    ['resources as an object', changed(push, ['event_data', 'resources'], {}), 'event_data.resources must be an array'],
    ['a resource that is not an object', changed(push, ['event_data', 'resources', 0], 'x'), 'event_data.resources[0] must be an object'],
    ['no resource_url', changed(push, ['event_data', 'resources', 0, 'resource_url'], DELETE), 'event_data.resources[0].resource_url must be a string'],
    ['a resource_url without host', changed(push, ['event_data', 'resources', 0, 'resource_url'], '/test-webhook/debian:latest'), 'does not start with a registry host'],
    ['a one-part host', changed(push, ['event_data', 'resources', 0, 'resource_url'], 'harbor/test-webhook/debian:latest'), '"harbor" is not a registry host'],
    ['a bad digest', changed(push, ['event_data', 'resources', 0, 'digest'], 'sha256:8a9e'), '"sha256:8a9e" is not a digest'],
    ['a digest that is not a string', changed(push, ['event_data', 'resources', 0, 'digest'], 1), 'event_data.resources[0].digest must be a string'],
    ['neither digest nor tag', changed(changed(push, ['event_data', 'resources', 0, 'digest'], DELETE), ['event_data', 'resources', 0, 'tag'], ''), 'neither a digest nor a tag'],
    ['a bad repository name', changed(push, ['event_data', 'repository', 'repo_full_name'], 'Test_Webhook/Debian'), 'repository name must be lower case'],
  ])('refuses %s', (_, body, message) => {
    expectWebhookError(() => parseHarborWebhook(body, CTX), message)
  })
})
