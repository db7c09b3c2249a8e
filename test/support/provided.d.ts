/**
 * What test/support/global-setup.ts provides to tests through `inject()`.
 */
import 'vitest'

/** A registry started once for the whole run. */
export interface ProvidedRegistry {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** `127.0.0.1:PORT` */
  host: string
}

/** A registry that wants credentials. */
export interface ProvidedAuthRegistry extends ProvidedRegistry {
  username: string
  password: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** docker-registry 2.8 without authentication. */
    registryNoAuth: ProvidedRegistry
    /** docker-registry 2.8 with htpasswd (Basic) authentication. */
    registryHtpasswd: ProvidedAuthRegistry
    /** docker-registry 2.8 with token authentication through test/support/token-server.ts. */
    registryToken: ProvidedAuthRegistry
  }
}
