import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { freePort } from '../../../runtime/index.js';

/**
 * A bare aedes broker on a free loopback port, or on `port` to come back where a stopped one
 * was (no auth: the broker's own tests cover that; no sessions kept across a stop).
 */
export async function startBareBroker(
  port?: number,
): Promise<{ url: string; port: number; aedes: Aedes; stop: () => Promise<void> }> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const listenPort = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${listenPort}`,
    port: listenPort,
    aedes,
    stop: async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
