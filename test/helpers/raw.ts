// Raw HTTP over a plain socket, for requests fetch() refuses to send: bytes outside ASCII in the
// request line, malformed framing, GET with a body.
import net from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
  readonly body: any;
}

/** Sends `head` (request line and headers, without the blank line) and `body`, reads the answer. */
export function rawRequest(port: number, head: string | Buffer, body: Buffer | string = ''): Promise<RawAnswer> {
  const bodyBytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const headBytes = Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1');
  const payload = Buffer.concat([headBytes, Buffer.from('\r\nConnection: close\r\n\r\n', 'latin1'), bodyBytes]);
  return sendBytes(port, payload);
}

/** Writes bytes exactly as given and parses whatever HTTP/1.1 answer comes back before close. */
export function sendBytes(port: number, payload: Buffer | string): Promise<RawAnswer> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(payload);
  return readUntilClose(socket, parseAnswer);
}

/** Collects everything `socket` receives until the server closes it (at most 5 s), then parses it. */
export function readUntilClose<T>(socket: net.Socket, parse: (bytes: Buffer) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within 5 s; read ${Buffer.concat(chunks).toString('latin1').slice(0, 500)}`));
    }, 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const split = bytes.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`not an HTTP answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = bytes.subarray(split + 4);
  if (headers['transfer-encoding'] === 'chunked') rest = unchunk(rest);
  const text = rest.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, body };
}

function unchunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = bytes;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
}

/**
 * Splits bytes read from one connection into the HTTP/1.1 answers they hold, in order; each must
 * be framed by Content-Length (what this server writes). Throws on bytes that are not answers,
 * which is how interleaved answers show up.
 */
export function parseAnswers(bytes: Buffer): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const split = rest.indexOf('\r\n\r\n');
    if (split === -1 || !rest.subarray(0, 9).toString('latin1').startsWith('HTTP/1.1 ')) {
      throw new Error(`not an HTTP answer: ${JSON.stringify(rest.toString('latin1').slice(0, 200))}`);
    }
    const head = rest.subarray(0, split).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) throw new Error(`answer without Content-Length: ${JSON.stringify(head)}`);
    const end = split + 4 + Number(length[1]);
    if (end > rest.length) throw new Error(`answer cut short: ${JSON.stringify(rest.toString('latin1'))}`);
    answers.push(parseAnswer(rest.subarray(0, end)));
    rest = rest.subarray(end);
  }
  return answers;
}
