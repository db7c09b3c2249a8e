/**
 * Starting and stopping node:http servers on 127.0.0.1 with a kernel-chosen port, keeping
 * track of their sockets so that stopping really closes every connection.
 *
 * @module
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/** A listening server and the bookkeeping needed to stop it cleanly. */
export interface LocalServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
  port: number
  /** Sockets that are currently open (idle keep-alive ones included). */
  openConnections(): number
  /** Destroys every socket and stops listening. Safe to call twice. */
  close(): Promise<void>
}

/** Listens on 127.0.0.1, port 0, and resolves once the server is accepting connections. */
export async function listenLocal(server: Server): Promise<LocalServer> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  const host = `127.0.0.1:${address.port}`
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}`,
    host,
    port: address.port,
    openConnections: () => sockets.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
      })
      return closing
    },
  }
}
