import type { Socket } from 'node:net';

/**
 * Holds a connection's writes until the end of the event-loop turn, so they leave as one
 * writev. mqtt-packet corks a packet only until process.nextTick, and aedes writes every
 * delivery and every PUBACK from a callback of its own, so a consumer taking thousands of
 * messages a second cost a syscall per message (on loopback, with the receiving side's
 * TCP work charged to it too). Writes still report back-pressure as before: `write()`
 * returns false past the high-water mark whether or not the socket is corked.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const release = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(release);
    }
    return write.apply(this, args as Parameters<typeof write>);
  } as Socket['write'];
}
