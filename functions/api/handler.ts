/**
 * The api on Lambda (API Gateway HTTP API or a Function URL).
 *
 * @module
 */
import { handle } from 'hono/aws-lambda'
import { awsApiDeps } from '../aws/aws-deps.js'
import { createApp } from './app.js'

export const handler = handle(createApp(await awsApiDeps(process.env)))
