/**
 * An S3 + SQS emulator speaking the AWS protocols over HTTP (fauxqs), on 127.0.0.1 only,
 * and AWS SDK clients pointed at it.
 */
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import { buildApp } from 'fauxqs'

export interface AwsEmulator {
  endpoint: string
  s3: S3Client
  sqs: SQSClient
  stop(): Promise<void>
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

export async function startAwsEmulator(): Promise<AwsEmulator> {
  const app = buildApp({ logger: false })
  // fauxqs' own start function binds 0.0.0.0; its app listens wherever we say
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const endpoint = address.replace('localhost', '127.0.0.1')
  const s3 = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true })
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials })
  return {
    endpoint,
    s3,
    sqs,
    async stop() {
      s3.destroy()
      sqs.destroy()
      await app.close()
    },
  }
}
