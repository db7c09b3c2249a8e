import { describe, expect, it } from 'vitest'
import { createScanRequest } from '../../../shared/scan/scan-request.js'
import { ecrRegistryHost, isEcrEvent, parseEcrEvent } from '../../../shared/webhooks/index.js'
import { CTX, DELETE, changed, expectWebhookError, fixture } from './fixtures.js'

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678'

describe('parseEcrEvent', () => {
  it.each([
    [
      'ecr/push.json',
      {
        registry: '123456789012.dkr.ecr.us-west-2.amazonaws.com',
        repository: 'my-repository-name',
        reference: DIGEST,
        digest: DIGEST,
        tag: 'latest',
        requestId: '13cde686-328b-6117-af20-0e5566167482',
      },
    ],
    [
      'ecr/push-by-digest-cn.json',
      {
        registry: '210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn',
        repository: 'team/service',
        reference: 'sha256:47fd7b2378924376549ec2e709ee1816c873daae8d872db80bb317e4e5559ef6',
        digest: 'sha256:47fd7b2378924376549ec2e709ee1816c873daae8d872db80bb317e4e5559ef6',
        requestId: 'a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d',
      },
    ],
  ])('turns %s into one request', (path, expected) => {
    // Act
    const outcome = parseEcrEvent(fixture(path), CTX)
    // Assess
    expect(outcome).toEqual({ kind: 'scan', requests: [{ v: 1, source: 'ecr', receivedAt: CTX.receivedAt, ...expected }] })
  })

  it.each([
    ['ecr/delete.json', 'ECR image action DELETE is not a push'],
    ['ecr/push-failure.json', 'ECR push result is FAILURE'],
    ['ecr/image-scan.json', 'ECR event "ECR Image Scan" is not an image action'],
  ])('ignores %s', (path, reason) => {
    expect(parseEcrEvent(fixture(path), CTX)).toEqual({ kind: 'ignored', reason })
  })

  it('treats an empty image-tag as none and falls back to the context id', () => {
    // Prepare
    const body = changed(changed(fixture('ecr/push.json'), ['detail', 'image-tag'], ''), ['id'], DELETE)
    // Act
    const outcome = parseEcrEvent(body, CTX)
    // Assess
    expect(outcome).toMatchObject({ kind: 'scan', requests: [{ reference: DIGEST, requestId: CTX.requestId }] })
    expect(outcome.kind === 'scan' && outcome.requests[0]).not.toHaveProperty('tag')
  })

  const push = fixture('ecr/push.json')
  it.each([
    ['not an object', [push], 'the body must be a JSON object'],
    ['another source', changed(push, ['source'], 'aws.s3'), 'source must be "aws.ecr", not "aws.s3"'],
    ['no detail-type', changed(push, ['detail-type'], DELETE), 'detail-type must be a string'],
    ['no detail', changed(push, ['detail'], DELETE), 'detail must be an object'],
    ['no action-type', changed(push, ['detail', 'action-type'], DELETE), 'detail.action-type must be a string'],
    ['no result', changed(push, ['detail', 'result'], DELETE), 'detail.result must be a string'],
    ['a short account', changed(push, ['account'], '12345'), 'account "12345" is not a 12-digit AWS account id'],
    ['a numeric account', changed(push, ['account'], 123456789012), 'account must be a string'],
    ['a bad region', changed(push, ['region'], 'us_west_2'), 'region "us_west_2" is not an AWS region'],
    ['no repository-name', changed(push, ['detail', 'repository-name'], DELETE), 'detail.repository-name must be a string'],
    ['no image-digest', changed(push, ['detail', 'image-digest'], DELETE), 'detail.image-digest must be a string'],
    ['the truncated digest of the AWS docs', changed(push, ['detail', 'image-digest'], DIGEST.slice(0, -4)), 'is not a digest'],
    ['an upper-case repository', changed(push, ['detail', 'repository-name'], 'My-Repo'), 'repository name must be lower case'],
  ])('refuses %s', (_, body, message) => {
    expectWebhookError(() => parseEcrEvent(body, CTX), message)
  })
})

describe('isEcrEvent', () => {
  const request = createScanRequest({ registry: 'ghcr.io', repository: 'a/b', tag: 'v1', source: 'ecr', receivedAt: CTX.receivedAt, requestId: 'x' })
  it.each([
    ['an ECR push', fixture('ecr/push.json'), true],
    ['an ECR scan event', fixture('ecr/image-scan.json'), true],
    ['a ScanRequest from ECR', request, false],
    ['an event from another source', changed(fixture('ecr/push.json'), ['source'], 'aws.s3'), false],
    ['an event without detail-type', changed(fixture('ecr/push.json'), ['detail-type'], DELETE), false],
    ['null', null, false],
    ['a string', 'aws.ecr', false],
  ])('%s → %s', (_, value, expected) => {
    expect(isEcrEvent(value)).toBe(expected)
  })
})

describe('ecrRegistryHost', () => {
  it.each([
    ['123456789012', 'us-east-1', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    ['123456789012', 'us-gov-west-1', '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com'],
    ['123456789012', 'cn-northwest-1', '123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn'],
  ])('%s in %s → %s', (account, region, host) => {
    expect(ecrRegistryHost(account, region)).toBe(host)
  })
})
