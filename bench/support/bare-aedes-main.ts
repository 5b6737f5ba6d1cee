/**
 * Child entry: aedes 1.2 with no hooks at all (anonymous, no ACL, no limits) on
 * 127.0.0.1:$PORT, the baseline our BrokerService is compared with.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.env.PORT);
const aedes = await Aedes.createBroker();
const server = createServer((socket) => {
  aedes.handle(socket);
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  aedes.close(() => process.exit(0));
});
