// Shared by the baseline servers: listen on a free loopback port, tell the bench which one
// (one JSON line on stdout), and stop cleanly on SIGTERM.
export function listenAndAnnounce(server, onClose = () => {}) {
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ listening: server.address().port }) + '\n');
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    onClose();
    process.exit(0);
  });
}

/** Reads a whole request body, as every real server must before it can answer. */
export function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
