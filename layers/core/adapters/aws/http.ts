// The HTTP handler settings every AWS SDK client of a function shares. A copier container runs a
// batch of 10 copies at once, each with up to 7 reads in flight, which exceeds the SDK's default
// of 50 sockets; locally every container of every function shares one process and one client, so
// the default would queue a whole burst behind 50 connections (measured: 1,781 requests waiting).
export const sdkHttp = {
  requestHandler: {
    httpAgent: { keepAlive: true, maxSockets: 512 },
    httpsAgent: { keepAlive: true, maxSockets: 512 },
  },
} as const;
