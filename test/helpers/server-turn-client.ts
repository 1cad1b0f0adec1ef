/**
 * A minimal TURN client (RFC 5766 / 8656 over UDP, long-term credentials) for asking coturn
 * for an allocation and for permissions, to check what a credential may relay to. It only ever
 * sends STUN requests to the TURN server itself; a CreatePermission names a peer address but
 * sends nothing to it (no Send indication, no ChannelData).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const COOKIE = 0x2112a442;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, REALM: 0x0014, NONCE: 0x0015, XOR_PEER_ADDRESS: 0x0012, REQUESTED_TRANSPORT: 0x0019, LIFETIME: 0x000d } as const;
const METHOD = { ALLOCATE: 0x0003, REFRESH: 0x0004, CREATE_PERMISSION: 0x0008 } as const;

/** A STUN answer: success, or an error code with its reason. */
export interface TurnAnswer {
  ok: boolean;
  code: number;
  reason: string;
}

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  const pad = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([head, value, pad]);
}

function xorPeer(ip: string, port: number, txid: Buffer): Buffer {
  if (ip.includes(':')) {
    const groups = expand6(ip);
    const v = Buffer.alloc(20);
    v.writeUInt8(0x02, 1);
    v.writeUInt16BE(port ^ (COOKIE >>> 16), 2);
    const key = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), txid]);
    for (let i = 0; i < 8; i++) v.writeUInt16BE(groups[i]!, 4 + i * 2);
    for (let i = 0; i < 16; i++) v[4 + i] = v[4 + i]! ^ key[i]!;
    return v;
  }
  const v = Buffer.alloc(8);
  v.writeUInt8(0x01, 1);
  v.writeUInt16BE(port ^ (COOKIE >>> 16), 2);
  const n = ip.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  v.writeUInt32BE((n ^ COOKIE) >>> 0, 4);
  return v;
}

function expand6(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (v4 !== null) {
    const o = v4[1]!.split('.').map(Number);
    text = ip.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/** A TURN client session on one UDP socket. */
export class TurnClient {
  private readonly sock: Socket = createSocket('udp4');
  private realm = '';
  private nonce = '';
  private readonly key: Buffer;

  constructor(private readonly server: { host: string; port: number }, private readonly username: string, password: string, realm: string) {
    this.key = createHash('md5').update(`${username}:${realm}:${password}`).digest();
  }

  /** Allocate a UDP relay (authenticating after the first 401). */
  async allocate(): Promise<TurnAnswer> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', r));
    const transport = Buffer.from([17, 0, 0, 0]);
    const first = await this.request(METHOD.ALLOCATE, [attr(ATTR.REQUESTED_TRANSPORT, transport)], false);
    if (first.ok || first.code !== 401) return first;
    return this.request(METHOD.ALLOCATE, [attr(ATTR.REQUESTED_TRANSPORT, transport)], true);
  }

  /** Ask for a permission towards `ip` (no packet goes to `ip`). */
  createPermission(ip: string): Promise<TurnAnswer> {
    return this.request(METHOD.CREATE_PERMISSION, [], true, (txid) => [attr(ATTR.XOR_PEER_ADDRESS, xorPeer(ip, 9, txid))]);
  }

  /** Releases the allocation (Refresh with lifetime 0) and closes the socket. */
  async close(): Promise<void> {
    await this.request(METHOD.REFRESH, [attr(ATTR.LIFETIME, Buffer.from([0, 0, 0, 0]))], true).catch(() => undefined);
    await new Promise<void>((r) => this.sock.close(() => r()));
  }

  private request(method: number, attrs: Buffer[], auth: boolean, more: (txid: Buffer) => Buffer[] = () => []): Promise<TurnAnswer> {
    const txid = randomBytes(12);
    let body = Buffer.concat([...attrs, ...more(txid)]);
    if (auth) {
      body = Buffer.concat([body, attr(ATTR.USERNAME, Buffer.from(this.username)), attr(ATTR.REALM, Buffer.from(this.realm)), attr(ATTR.NONCE, Buffer.from(this.nonce))]);
    }
    const header = (length: number): Buffer => {
      const h = Buffer.alloc(20);
      h.writeUInt16BE(method, 0);
      h.writeUInt16BE(length, 2);
      h.writeUInt32BE(COOKIE, 4);
      txid.copy(h, 8);
      return h;
    };
    let message = Buffer.concat([header(body.length), body]);
    if (auth) {
      const withMi = Buffer.concat([header(body.length + 24), body]);
      const mac = createHmac('sha1', this.key).update(withMi).digest();
      message = Buffer.concat([withMi, attr(ATTR.MESSAGE_INTEGRITY, mac)]);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.sock.off('message', onMessage); reject(new Error('no TURN answer in 3 s')); }, 3000);
      const onMessage = (msg: Buffer): void => {
        if (msg.length < 20 || !msg.subarray(8, 20).equals(txid)) return;
        clearTimeout(timer);
        this.sock.off('message', onMessage);
        resolve(this.parse(msg));
      };
      this.sock.on('message', onMessage);
      this.sock.send(message, this.server.port, this.server.host);
    });
  }

  private parse(msg: Buffer): TurnAnswer {
    const type = msg.readUInt16BE(0);
    const ok = (type & 0x0110) === 0x0100;
    let code = ok ? 200 : 0;
    let reason = '';
    for (let at = 20; at + 4 <= msg.length;) {
      const t = msg.readUInt16BE(at);
      const len = msg.readUInt16BE(at + 2);
      const v = msg.subarray(at + 4, at + 4 + len);
      if (t === ATTR.ERROR_CODE) {
        code = (v[2]! & 0x7) * 100 + v[3]!;
        reason = v.subarray(4).toString();
      } else if (t === ATTR.REALM) this.realm = v.toString();
      else if (t === ATTR.NONCE) this.nonce = v.toString();
      at += 4 + len + ((4 - (len % 4)) % 4);
    }
    return { ok, code, reason };
  }
}
