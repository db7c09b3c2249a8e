import { describe, expect, it } from 'vitest'
import { parseDockerHubWebhook } from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture } from './fixtures.js'

describe('parseDockerHubWebhook', () => {
  it.each([
    ['dockerhub/push.json', 'svendowideit/testhook', 'latest', 'svendowideit/testhook:latest:1417566161'],
    ['dockerhub/push-official.json', 'library/redis', '7.4-alpine', 'redis:7.4-alpine:1735689600'],
    ['dockerhub/push-legacy-float.json', 'acme/billing-api', 'v2.3.1', 'acme/billing-api:v2.3.1:1417566161.25'],
  ])('turns %s into one tag-only request', (path, repository, tag, requestId) => {
    // Prepare
    const body = fixture(path)
    // Act
    const outcome = parseDockerHubWebhook(body, CTX)
    // Assess
    expect(outcome).toEqual({
      kind: 'scan',
      requests: [
        {
          v: 1,
          registry: 'docker.io',
          repository,
          reference: tag,
          tag,
          source: 'dockerhub',
          receivedAt: CTX.receivedAt,
          requestId,
        },
      ],
    })
  })

  it('falls back to the context id without pushed_at', () => {
    // Prepare
    const body = changed(fixture('dockerhub/push.json'), ['push_data', 'pushed_at'], DELETE)
    // Act
    const outcome = parseDockerHubWebhook(body, CTX)
    // Assess
    expect(outcome.kind === 'scan' && outcome.requests[0]?.requestId).toBe(CTX.requestId)
  })

  it('uses namespace and name when repo_name is missing, and a bare name as an official image', () => {
    // Prepare
    const withNamespace = changed(fixture('dockerhub/push.json'), ['repository', 'repo_name'], DELETE)
    const bare = changed(changed(withNamespace, ['repository', 'namespace'], DELETE), ['repository', 'name'], 'busybox')
    // Act
    const fromNamespace = parseDockerHubWebhook(withNamespace, CTX)
    const fromBare = parseDockerHubWebhook(bare, CTX)
    // Assess
    expect(fromNamespace.kind === 'scan' && fromNamespace.requests[0]?.repository).toBe('svendowideit/testhook')
    expect(fromBare.kind === 'scan' && fromBare.requests[0]?.repository).toBe('library/busybox')
  })

  const push = fixture('dockerhub/push.json')
  it.each([
    ['not an object', 'a string', 'the body must be a JSON object'],
    ['an array', [push], 'the body must be a JSON object'],
    ['null', null, 'the body must be a JSON object'],
    ['no push_data', changed(push, ['push_data'], DELETE), 'push_data must be an object'],
    ['no repository', changed(push, ['repository'], DELETE), 'repository must be an object'],
    ['no tag', changed(push, ['push_data', 'tag'], DELETE), 'push_data.tag must be a string'],
    ['an empty tag', changed(push, ['push_data', 'tag'], ''), 'push_data.tag must not be empty'],
    ['a numeric tag', changed(push, ['push_data', 'tag'], 7), 'push_data.tag must be a string'],
    ['a bad tag', changed(push, ['push_data', 'tag'], '-rc1'), 'tag "-rc1" is not valid'],
    ['pushed_at as a string', changed(push, ['push_data', 'pushed_at'], '1417566161'), 'push_data.pushed_at must be a number'],
    ['repo_name as a number', changed(push, ['repository', 'repo_name'], 42), 'repository.repo_name must be a string'],
    ['an upper-case name', changed(push, ['repository', 'repo_name'], 'Svendowideit/TestHook'), 'repository name must be lower case'],
    [
      'no name at all',
      changed(changed(changed(push, ['repository', 'repo_name'], DELETE), ['repository', 'name'], DELETE), ['repository', 'namespace'], DELETE),
      'repository.repo_name must be a string',
    ],
  ])('refuses a body with %s', (_, body, message) => {
    expectWebhookError(() => parseDockerHubWebhook(body, CTX), message)
  })

  it('names the source in the message', () => {
    expectWebhookError(() => parseDockerHubWebhook({}, CTX), 'Docker Hub webhook: push_data must be an object')
  })
})
