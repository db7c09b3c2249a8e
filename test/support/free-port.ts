/**
 * Finding a free TCP port on 127.0.0.1 for servers that cannot listen on port 0 themselves
 * (a child process such as `docker-registry`).
 *
 * @module
 */
import { createServer } from 'node:net'

/**
 * Asks the kernel for a free port on 127.0.0.1 by listening on port 0 and closing again.
 * Another process may grab the port before it is used, so callers that spawn a server
 * should retry on "address already in use".
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('could not determine a free port')
  return address.port
}
