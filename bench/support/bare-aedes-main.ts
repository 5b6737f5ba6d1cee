/**
 * Child entry: aedes 1.2 with no hooks at all (anonymous, no ACL, no limits) on
 * 127.0.0.1:$PORT, the baseline our BrokerService is compared with. Its sockets batch
 * their writes per event-loop turn as BrokerService's do, so the two differ by
 * authentication and ACLs, not by how packets reach the wire.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { coalesceWrites } from '../../runtime/index.js';

const port = Number(process.env.PORT);
const aedes = await Aedes.createBroker();
const server = createServer((socket) => {
  coalesceWrites(socket);
  aedes.handle(socket);
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  aedes.close(() => process.exit(0));
});
